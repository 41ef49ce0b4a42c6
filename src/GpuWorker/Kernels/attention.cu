// Decode attention for one new token over the static KV cache, split across blocks
// (flash-decoding): block (h, s) handles head h over the s-th slice of positions [0, pos];
// the last block of each head to finish merges the slices. The current token's key and value
// come from qkv (and block s == 0 stores them into the cache), so no block waits on another's write.
#include "common.cuh"

#define THREADS 128
#define MAX_D 128
#define MAX_SLICE 1024

extern "C" __global__ void __launch_bounds__(THREADS) attention_decode(
    const float* __restrict__ qkv,      // [3C]: q, k, v of the new token
    __nv_bfloat16* __restrict__ kcache, // [H, T, D] of this layer
    __nv_bfloat16* __restrict__ vcache, // [H, T, D]
    const int* __restrict__ pos_ptr,    // the new token's position
    float* __restrict__ partial,        // [H, S, D + 2]: each slice's output, max and sum
    unsigned int* __restrict__ counters,// [H]: slices finished, reset by the merging block
    float* __restrict__ out,            // [C]
    int H, int D, int T) {
    const int h = blockIdx.x, s = blockIdx.y, S = gridDim.y, C = H * D;
    const int pos = *pos_ptr;
    const int len = pos + 1;
    const int per = (len + S - 1) / S;
    const int t0 = s * per, t1 = min(len, t0 + per);
    const float scale = rsqrtf((float)D);
    __shared__ float q[MAX_D];
    __shared__ float score[MAX_SLICE];
    __shared__ float scratch[32];
    __shared__ bool last;

    const float* qh = qkv + h * D;
    const float* kh = qkv + C + h * D;
    const float* vh = qkv + 2 * C + h * D;
    for (int d = threadIdx.x; d < D; d += THREADS) q[d] = qh[d] * scale;
    if (s == 0)
        for (int d = threadIdx.x; d < D; d += THREADS) {
            kcache[((size_t)h * T + pos) * D + d] = __float2bfloat16(kh[d]);
            vcache[((size_t)h * T + pos) * D + d] = __float2bfloat16(vh[d]);
        }
    __syncthreads();

    // Scores: one thread per position, the whole key row with 16-byte loads.
    float m = -INFINITY;
    for (int t = t0 + threadIdx.x; t < t1; t += THREADS) {
        float a = 0.f;
        if (t == pos) {
            for (int d = 0; d < D; d++) a += q[d] * kh[d];
        } else {
            const uint4* k = reinterpret_cast<const uint4*>(kcache + ((size_t)h * T + t) * D);
            for (int c = 0; c < D / 8; c++) {
                uint4 w = k[c];
                const __nv_bfloat162* b = reinterpret_cast<const __nv_bfloat162*>(&w);
#pragma unroll
                for (int i = 0; i < 4; i++) {
                    float2 f = __bfloat1622float2(b[i]);
                    a += f.x * q[c * 8 + 2 * i] + f.y * q[c * 8 + 2 * i + 1];
                }
            }
        }
        score[t - t0] = a;
        m = fmaxf(m, a);
    }
    // Slice max and softmax numerators.
    m = warp_max(m);
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = m;
    __syncthreads();
    m = -INFINITY;
    for (int w = 0; w < THREADS / 32; w++) m = fmaxf(m, scratch[w]);
    __syncthreads();
    float l = 0.f;
    for (int t = t0 + threadIdx.x; t < t1; t += THREADS) {
        float p = __expf(score[t - t0] - m);
        score[t - t0] = p;
        l += p;
    }
    l = block_sum(l, scratch);

    // Weighted values: thread d accumulates output dimension d (coalesced across the row).
    float* slot = partial + ((size_t)h * S + s) * (D + 2);
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float o = 0.f;
        for (int t = t0; t < t1; t++) {
            float v = t == pos ? vh[d] : __bfloat162float(vcache[((size_t)h * T + t) * D + d]);
            o += score[t - t0] * v;
        }
        slot[d] = o;
    }
    if (threadIdx.x == 0) { slot[D] = t1 > t0 ? m : -INFINITY; slot[D + 1] = l; }

    // The last slice of head h to finish merges all of them.
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) last = atomicAdd(&counters[h], 1u) == (unsigned)(S - 1);
    __syncthreads();
    if (!last) return;
    __threadfence();
    const float* base = partial + (size_t)h * S * (D + 2);
    float gm = -INFINITY;
    for (int j = 0; j < S; j++) gm = fmaxf(gm, base[j * (D + 2) + D]);
    float gl = 0.f;
    for (int j = 0; j < S; j++) {
        float mj = base[j * (D + 2) + D];
        if (mj != -INFINITY) gl += base[j * (D + 2) + D + 1] * __expf(mj - gm);
    }
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float o = 0.f;
        for (int j = 0; j < S; j++) {
            float mj = base[j * (D + 2) + D];
            if (mj != -INFINITY) o += base[j * (D + 2) + d] * __expf(mj - gm);
        }
        out[h * D + d] = o / gl;
    }
    if (threadIdx.x == 0) counters[h] = 0;
}
