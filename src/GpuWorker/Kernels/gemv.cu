// Batch-1 matrix-vector products for every linear layer of GPT-2: y[N] = W[N,K] x[K] (+ bias ...).
// Weights are stored row-major [out, in] so each warp streams whole rows with 16-byte loads.
// One kernel, four entry points, by what is fused around the product:
//   gemv_ln_bias       LayerNorm(x) first (attention and MLP inputs), + bias
//   gemv_ln_bias_gelu  LayerNorm(x) first, + bias, GELU (MLP up-projection)
//   gemv_bias_residual + bias, added into the residual stream y in place (projections)
//   gemv_ln            LayerNorm(x) first, no bias (the tied lm_head over ln_f)
#include "common.cuh"

#define MAX_THREADS 256
#define MAX_K 5120
// Rows per warp: 1 for the per-layer matrices (N of 768..3072: more, smaller blocks keep every SM
// busy), 4 for the lm_head (50,257 rows: fewer blocks, so fewer recomputed LayerNorms).
// Launch with blockDim.x = 32 * warps; a block covers warps * ROWS rows.

enum { EPI_BIAS = 0, EPI_BIAS_GELU = 1, EPI_BIAS_RESIDUAL = 2, EPI_NONE = 3 };

template <bool LN, int EPI, int ROWS_PER_WARP>
__device__ __forceinline__ void gemv(const WT* __restrict__ W, const float* __restrict__ scale,
                                     const float* __restrict__ bias, const float* __restrict__ x,
                                     const float* __restrict__ ln_w, const float* __restrict__ ln_b, float eps,
                                     float* __restrict__ y, int N, int K) {
    __shared__ __align__(16) float xs[MAX_K];
    __shared__ float scratch[32];
    // Stage x in shared memory, normalised when LayerNorm is fused in (every block recomputes the
    // statistics of the same K values from L2: cheaper than a separate launch).
    float sum = 0.f;
    for (int k = threadIdx.x; k < K; k += blockDim.x) { float v = x[k]; xs[k] = v; sum += v; }
    if (LN) {
        const float mean = block_sum(sum, scratch) / K;
        float var = 0.f;
        for (int k = threadIdx.x; k < K; k += blockDim.x) { float d = xs[k] - mean; var += d * d; }
        const float rstd = rsqrtf(block_sum(var, scratch) / K + eps);
        for (int k = threadIdx.x; k < K; k += blockDim.x) xs[k] = (xs[k] - mean) * rstd * ln_w[k] + ln_b[k];
    }
    __syncthreads();

    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int row0 = (blockIdx.x * warps + warp) * ROWS_PER_WARP;
    const int vecs = K / VEC_ELEMS;
    float acc[ROWS_PER_WARP];
#pragma unroll
    for (int r = 0; r < ROWS_PER_WARP; r++) acc[r] = 0.f;
    // Rows of one warp are read together so several 16-byte loads are in flight per lane.
#pragma unroll 4
    for (int v = lane; v < vecs; v += 32) {
        uint4 w[ROWS_PER_WARP];
#pragma unroll
        for (int r = 0; r < ROWS_PER_WARP; r++) {
            const int row = row0 + r;
            w[r] = row < N ? __ldg(reinterpret_cast<const uint4*>(W + (size_t)row * K) + v) : make_uint4(0, 0, 0, 0);
        }
#pragma unroll
        for (int r = 0; r < ROWS_PER_WARP; r++) acc[r] += dot_vec(w[r], xs + v * VEC_ELEMS);
    }
#pragma unroll
    for (int r = 0; r < ROWS_PER_WARP; r++) {
        const int row = row0 + r;
        float s = warp_sum(acc[r]);
        if (lane != 0 || row >= N) continue;
#if defined(WEIGHTS_INT8)
        s *= scale[row];
#endif
        if (EPI != EPI_NONE) s += bias[row];
        if (EPI == EPI_BIAS_GELU) s = gelu_tanh(s);
        if (EPI == EPI_BIAS_RESIDUAL) s += y[row];
        y[row] = s;
    }
}

extern "C" __global__ void __launch_bounds__(MAX_THREADS) gemv_ln_bias(const WT* W, const float* scale, const float* bias, const float* x,
    const float* ln_w, const float* ln_b, float eps, float* y, int N, int K) {
    gemv<true, EPI_BIAS, 1>(W, scale, bias, x, ln_w, ln_b, eps, y, N, K);
}
extern "C" __global__ void __launch_bounds__(MAX_THREADS) gemv_ln_bias_gelu(const WT* W, const float* scale, const float* bias, const float* x,
    const float* ln_w, const float* ln_b, float eps, float* y, int N, int K) {
    gemv<true, EPI_BIAS_GELU, 1>(W, scale, bias, x, ln_w, ln_b, eps, y, N, K);
}
extern "C" __global__ void __launch_bounds__(MAX_THREADS) gemv_bias_residual(const WT* W, const float* scale, const float* bias, const float* x,
    const float* ln_w, const float* ln_b, float eps, float* y, int N, int K) {
    gemv<false, EPI_BIAS_RESIDUAL, 1>(W, scale, bias, x, ln_w, ln_b, eps, y, N, K);
}
extern "C" __global__ void __launch_bounds__(MAX_THREADS) gemv_ln(const WT* W, const float* scale, const float* bias, const float* x,
    const float* ln_w, const float* ln_b, float eps, float* y, int N, int K) {
    gemv<true, EPI_NONE, 4>(W, scale, bias, x, ln_w, ln_b, eps, y, N, K);
}
