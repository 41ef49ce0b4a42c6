// Decode attention for one new token over the static KV cache, split across blocks
// (flash-decoding): block (h, s) handles head h over the s-th slice of positions [0, pos], as many
// slices as the context needs (up to gridDim.y); the last block of each head to finish merges them.
// The current token's key and value come from qkv (and block s == 0 stores them into the cache), so
// no block waits on another's write.
// D / 8 lanes share one cached position, 16 bytes (8 dimensions) each, so a block reads
// THREADS / (D / 8) key or value rows per pass with 16-byte loads. The rows of earlier positions
// and the position itself were written by earlier steps (earlier graph launches), not by the
// kernel this one may overlap, so the first PREFETCH passes are loaded before waiting for it.
#include "attention.cuh"

#define THREADS 128
#define MAX_SLICE 1024
#define PREFETCH 8
#define MAX_SLICES 32

template <int D>
struct Head {
    static constexpr int LANES = D / 8;              // lanes sharing one position
    static constexpr int GROUPS = THREADS / LANES;   // positions per pass
};

template <int D>
__device__ __forceinline__ void attention(
    const float* __restrict__ qkv, __nv_bfloat16* __restrict__ kcache, __nv_bfloat16* __restrict__ vcache,
    const int* __restrict__ pos_ptr, float* __restrict__ partial, unsigned int* __restrict__ counters,
    float* __restrict__ out, int H, int T) {
    constexpr int LANES = Head<D>::LANES, GROUPS = Head<D>::GROUPS;
    const int h = blockIdx.x, s = blockIdx.y, S = gridDim.y, C = H * D;
    const int g = threadIdx.x / LANES, j = threadIdx.x % LANES;
    __shared__ __align__(16) float q[D];
    __shared__ float score[MAX_SLICE];
    __shared__ float scratch[32];
    __shared__ float warp_out[THREADS / 32][D];
    __shared__ float slice_weight[MAX_SLICES];
    __shared__ bool last;

    const int pos = *pos_ptr;
    const int len = pos + 1;
    // As few slices as keep each within what one prefetch covers: a short context is one block, no merge.
    const int slices = min(S, (len + PREFETCH * GROUPS - 1) / (PREFETCH * GROUPS));
    const int per = (len + slices - 1) / slices;
    const int t0 = s * per, t1 = min(len, t0 + per);
    const size_t head_row = (size_t)h * T;
    const uint4 zero = make_uint4(0, 0, 0, 0);
    uint4 kpre[PREFETCH], vpre[PREFETCH];
#pragma unroll
    for (int p = 0; p < PREFETCH; p++) {
        const int t = t0 + p * GROUPS + g;
        const bool cached = t < t1 && t != pos;
        kpre[p] = cached ? *reinterpret_cast<const uint4*>(kcache + (head_row + t) * D + 8 * j) : zero;
        vpre[p] = cached ? *reinterpret_cast<const uint4*>(vcache + (head_row + t) * D + 8 * j) : zero;
    }
    wait_for_previous_kernel();
    allow_next_kernel();
    if (s >= slices) return; // no positions here (block 0, which stores the new key and value, always has some)

    const float* kh = qkv + C + h * D;
    const float* vh = qkv + 2 * C + h * D;
    for (int d = threadIdx.x; d < D; d += THREADS) q[d] = qkv[h * D + d] * rsqrtf((float)D);
    // The new token's key and value, rounded to bf16 as the cache holds them.
    uint4 knew, vnew;
    {
        __nv_bfloat16* kb = reinterpret_cast<__nv_bfloat16*>(&knew);
        __nv_bfloat16* vb = reinterpret_cast<__nv_bfloat16*>(&vnew);
#pragma unroll
        for (int i = 0; i < 8; i++) { kb[i] = __float2bfloat16(kh[8 * j + i]); vb[i] = __float2bfloat16(vh[8 * j + i]); }
    }
    if (s == 0 && g == 0) {
        *reinterpret_cast<uint4*>(kcache + (head_row + pos) * D + 8 * j) = knew;
        *reinterpret_cast<uint4*>(vcache + (head_row + pos) * D + 8 * j) = vnew;
    }
    __syncthreads();

    // Scores of the slice, then its max.
    float m = -INFINITY;
    const float* q8 = q + 8 * j;
#pragma unroll
    for (int p = 0; p < PREFETCH; p++) {
        const int t = t0 + p * GROUPS + g;
        const float a = score_of<Head<D>::LANES>(t == pos ? knew : kpre[p], q8);
        if (t < t1) { if (j == 0) score[t - t0] = a; m = fmaxf(m, a); }
    }
    for (int base = t0 + PREFETCH * GROUPS; base < t1; base += GROUPS) {
        const int t = base + g;
        const uint4 k = t == pos ? knew : t < t1 ? *reinterpret_cast<const uint4*>(kcache + (head_row + t) * D + 8 * j) : zero;
        const float a = score_of<Head<D>::LANES>(k, q8);
        if (t < t1) { if (j == 0) score[t - t0] = a; m = fmaxf(m, a); }
    }
    m = block_max(m, scratch); // block_sum below starts with a barrier, so scratch is free again by then
    float l = 0.f;
    for (int t = t0 + threadIdx.x; t < t1; t += THREADS) {
        const float p = __expf(score[t - t0] - m);
        score[t - t0] = p;
        l += p;
    }
    l = block_sum(l, scratch); // its barriers also publish the probabilities

    // Weighted values: this lane's 8 dimensions over its group's positions, then summed over groups.
    float o[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
#pragma unroll
    for (int p = 0; p < PREFETCH; p++) {
        const int t = t0 + p * GROUPS + g;
        if (t < t1) add_weighted(o, score[t - t0], t == pos ? vnew : vpre[p]);
    }
    for (int base = t0 + PREFETCH * GROUPS; base < t1; base += GROUPS) {
        const int t = base + g;
        if (t < t1) add_weighted(o, score[t - t0], t == pos ? vnew : *reinterpret_cast<const uint4*>(vcache + (head_row + t) * D + 8 * j));
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
#pragma unroll
        for (int off = LANES; off < 32; off <<= 1) o[i] += __shfl_xor_sync(0xffffffffu, o[i], off);
    }
    if ((threadIdx.x & 31) < LANES) {
#pragma unroll
        for (int i = 0; i < 8; i++) warp_out[threadIdx.x >> 5][8 * j + i] = o[i];
    }
    __syncthreads();
    float* slot = partial + ((size_t)h * S + s) * (D + 2);
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float sum = 0.f;
#pragma unroll
        for (int w = 0; w < THREADS / 32; w++) sum += warp_out[w][d];
        if (slices == 1) out[h * D + d] = sum / l;
        else slot[d] = sum;
    }
    if (slices == 1) return;
    if (threadIdx.x == 0) { slot[D] = t1 > t0 ? m : -INFINITY; slot[D + 1] = l; }

    // The last slice of head h to finish merges all of them.
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) last = atomicAdd(&counters[h], 1u) == (unsigned)(slices - 1);
    __syncthreads();
    if (!last) return;
    __threadfence();
    // Each slice's weight exp(m_i - max m) / sum, loaded by one thread per slice at once, not in a serial loop.
    const float* base = partial + (size_t)h * S * (D + 2);
    const float mi = threadIdx.x < slices ? __ldcg(base + threadIdx.x * (D + 2) + D) : -INFINITY;
    const float li = threadIdx.x < slices ? __ldcg(base + threadIdx.x * (D + 2) + D + 1) : 0.f;
    float gm = warp_max(threadIdx.x < 32 ? mi : -INFINITY);
    const float wi = mi == -INFINITY ? 0.f : __expf(mi - gm);
    const float gl = warp_sum(threadIdx.x < 32 ? li * wi : 0.f);
    if (threadIdx.x < slices) slice_weight[threadIdx.x] = wi / gl;
    __syncthreads();
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float acc = 0.f;
#pragma unroll 8
        for (int i = 0; i < slices; i++) acc += __ldcg(base + i * (D + 2) + d) * slice_weight[i];
        out[h * D + d] = acc;
    }
    if (threadIdx.x == 0) counters[h] = 0;
}

// One entry point per head size (AttentionKernel.EntryPoint picks by the model's head size).
#define ATTENTION_ENTRY(D)                                                                                           \
    extern "C" __global__ void __launch_bounds__(THREADS) attention_decode_##D(                                      \
        const float* qkv, __nv_bfloat16* kcache, __nv_bfloat16* vcache, const int* pos_ptr, float* partial,        \
        unsigned int* counters, float* out, int H, int T) {                                                          \
        attention<D>(qkv, kcache, vcache, pos_ptr, partial, counters, out, H, T);                                   \
    }

ATTENTION_ENTRY(32)
ATTENTION_ENTRY(64)
ATTENTION_ENTRY(128)
