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
#define PREFETCH 8
#define MAX_SLICES 32

template <int D>
struct Head {
    static constexpr int LANES = D / 8;              // lanes sharing one position
    static constexpr int GROUPS = THREADS / LANES;   // positions per pass
};

// A slice's softmax-weighted values in one pass (online softmax): each lane keeps the running max, sum and
// weighted values of its group's positions; finish() merges the groups of a warp with shuffles and the warps
// through shared memory, so the slice costs one block-wide barrier.
template <int D>
struct OnlineSoftmax {
    static constexpr int LANES = Head<D>::LANES, WARPS = THREADS / 32;
    float m = -INFINITY, l = 0.f, o[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};

    // One position per group: this lane's 16 bytes of its key and value, and q's matching 8 dimensions (already
    // scaled by 1 / sqrt(D)). Every lane of the warp calls it (the score is summed with shuffles); `real` is
    // false for a group past the slice's end.
    __device__ __forceinline__ void add(const uint4& k, const uint4& v, const float* q8, bool real) {
        const float s = score_of<LANES>(k, q8);
        if (!real) return;
        const float mn = fmaxf(m, s), c = rescale(m, mn), p = __expf(s - mn);
        l = l * c + p;
        const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&v);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const float2 f = __bfloat1622float2(h[i]);
            o[2 * i] = o[2 * i] * c + p * f.x;
            o[2 * i + 1] = o[2 * i + 1] * c + p * f.y;
        }
        m = mn;
    }

    // The slice's max and sum of exp(score - max); emit(d, sum_t exp(score_t - max) v_t[d], sum) is called for each
    // d < D by thread d. Shared memory: warp_out [WARPS][D], ml [2 WARPS]; ends with every thread past one barrier.
    template <typename Emit>
    __device__ __forceinline__ float2 finish(float (*warp_out)[D], float* ml, Emit emit) {
#pragma unroll
        for (int off = LANES; off < 32; off <<= 1) {
            const float m2 = __shfl_xor_sync(0xffffffffu, m, off), l2 = __shfl_xor_sync(0xffffffffu, l, off);
            const float mn = fmaxf(m, m2), c1 = rescale(m, mn), c2 = rescale(m2, mn);
            l = l * c1 + l2 * c2;
#pragma unroll
            for (int i = 0; i < 8; i++) o[i] = o[i] * c1 + __shfl_xor_sync(0xffffffffu, o[i], off) * c2;
            m = mn;
        }
        const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
        if (lane < LANES) {
#pragma unroll
            for (int i = 0; i < 8; i++) warp_out[warp][8 * lane + i] = o[i];
        }
        if (lane == 0) { ml[warp] = m; ml[WARPS + warp] = l; }
        __syncthreads();
        float mx = -INFINITY;
#pragma unroll
        for (int w = 0; w < WARPS; w++) mx = fmaxf(mx, ml[w]);
        float sum = 0.f;
#pragma unroll
        for (int w = 0; w < WARPS; w++) sum += rescale(ml[w], mx) * ml[WARPS + w];
        for (int d = threadIdx.x; d < D; d += THREADS) {
            float acc = 0.f;
#pragma unroll
            for (int w = 0; w < WARPS; w++) acc += rescale(ml[w], mx) * warp_out[w][d];
            emit(d, acc, sum);
        }
        return make_float2(mx, sum);
    }
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
    __shared__ float ml[2 * (THREADS / 32)];
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

    OnlineSoftmax<D> softmax;
    const float* q8 = q + 8 * j;
#pragma unroll
    for (int p = 0; p < PREFETCH; p++) {
        const int t = t0 + p * GROUPS + g;
        softmax.add(t == pos ? knew : kpre[p], t == pos ? vnew : vpre[p], q8, t < t1);
    }
    for (int base = t0 + PREFETCH * GROUPS; base < t1; base += GROUPS) {
        const int t = base + g;
        const bool real = t < t1;
        const uint4 k = t == pos ? knew : real ? *reinterpret_cast<const uint4*>(kcache + (head_row + t) * D + 8 * j) : zero;
        const uint4 v = t == pos ? vnew : real ? *reinterpret_cast<const uint4*>(vcache + (head_row + t) * D + 8 * j) : zero;
        softmax.add(k, v, q8, real);
    }
    float* slot = partial + ((size_t)h * S + s) * (D + 2);
    const float2 max_sum = softmax.finish(warp_out, ml, [&](int d, float weighted, float sum) {
        if (slices == 1) out[h * D + d] = weighted / sum;
        else slot[d] = weighted;
    });
    if (slices == 1) return;
    if (threadIdx.x == 0) { slot[D] = max_sum.x; slot[D + 1] = max_sum.y; }

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
    const float wi = rescale(mi, gm);
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
