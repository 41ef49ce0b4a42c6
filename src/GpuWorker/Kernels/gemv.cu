// Batch-1 matrix-vector products for the linear layers outside the MLP: y[N] = W[N,K] x[K] (+ bias ...).
// Weights are stored row-major [out, in]; each warp streams ROWS whole rows with 16-byte loads.
// At batch 1 a layer's product is too small to hide memory latency by itself, so each lane loads its
// share of the weights (and its rows' scale, bias and residual) into registers first (up to MAXV
// 16-byte vectors per row; larger K loops), before waiting for the previous kernel: the weight reads
// overlap that kernel's tail, and the LayerNorm of the input overlaps the weight reads.
// The residual stream is x plus delta, the MLP's output (mlp.cu adds it there with atomics, as it is
// split over blocks); the attention projection folds delta into x and resets it for the next MLP.
// Entry points, by what is fused around the product (suffix _MAXV, chosen by the host from K):
//   gemv_ln_bias       LayerNorm(x + delta) first, + bias (the attention's QKV)
//   gemv_bias_residual + bias, added into the residual stream in place: y += delta + W x + bias, and
//                      delta = delta_init (the attention's output projection)
//   gemv_ln            LayerNorm(x + delta) first, no bias (the tied lm_head over ln_f), 4 rows per warp
// Launch with blockDim.x = 32 * warps (at most the entry point's bound) and K * 4 bytes of dynamic
// shared memory (3 K * 4 with LayerNorm); K is a multiple of 16. The host sizes blocks so that each SM
// gets about one: every block restages (and renormalises) x, so fewer, larger blocks read less of L2.
#include "common.cuh"

enum { EPI_BIAS = 0, EPI_BIAS_RESIDUAL = 1, EPI_NONE = 2 };

// Vectors [first, first + 32 * MAXV) of each of the warp's rows, lane-strided; zero past the row or the matrix.
template <int ROWS, int MAXV>
__device__ __forceinline__ void load_weights(uint4 (&w)[ROWS][MAXV], const WT* __restrict__ W, int row0, int N, int K,
                                             int vecs, int first, int lane) {
#pragma unroll
    for (int r = 0; r < ROWS; r++) {
        const uint4* row = reinterpret_cast<const uint4*>(W + (size_t)(row0 + r) * K);
#pragma unroll
        for (int i = 0; i < MAXV; i++) {
            const int v = first + lane + 32 * i;
            w[r][i] = row0 + r < N && v < vecs ? __ldg(row + v) : make_uint4(0, 0, 0, 0);
        }
    }
}

template <bool LN, int EPI, int ROWS, int MAXV>
__device__ __forceinline__ void gemv(const WT* __restrict__ W, const float* __restrict__ scale,
                                     const float* __restrict__ bias, const float* __restrict__ x,
                                     float* __restrict__ delta, const float* __restrict__ delta_init,
                                     const float* __restrict__ ln_w, const float* __restrict__ ln_b, float eps,
                                     float* __restrict__ y, int N, int K) {
    // Shared memory: x (then normalised x), and with LayerNorm its gain and bias: K floats each.
    extern __shared__ __align__(16) float xs[];
    float* gain = xs + K;
    float* shift = xs + 2 * K;
    __shared__ float scratch[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int row0 = (blockIdx.x * warps + warp) * ROWS;
    const int vecs = K / VEC_ELEMS;
    uint4 w[ROWS][MAXV];
    load_weights<ROWS, MAXV>(w, W, row0, N, K, vecs, 0, lane);
    float row_scale[ROWS], row_bias[ROWS];
#pragma unroll
    for (int r = 0; r < ROWS; r++) {
        const bool mine = lane == 0 && row0 + r < N;
#if defined(WEIGHTS_INT8)
        row_scale[r] = mine ? scale[row0 + r] : 0.f;
#else
        row_scale[r] = 1.f;
#endif
        row_bias[r] = mine && EPI != EPI_NONE ? bias[row0 + r] : 0.f;
        // The residual stream and delta were last written three kernels back or more (this projection
        // follows QKV and attention; the MLP wrote delta before the QKV), so they are complete already.
        if (EPI == EPI_BIAS_RESIDUAL && mine) row_bias[r] += y[row0 + r] + delta[row0 + r];
    }
    if (LN) stage_gain_shift(ln_w, ln_b, gain, shift, K);
    wait_for_previous_kernel();
    allow_next_kernel();
    stage_input(x, LN ? delta : nullptr, LN ? gain : nullptr, shift, eps, xs, K, scratch);

    float acc[ROWS];
#pragma unroll
    for (int r = 0; r < ROWS; r++) acc[r] = 0.f;
    for (int first = 0;;) {
#pragma unroll
        for (int i = 0; i < MAXV; i++) {
            const int v = first + lane + 32 * i;
            if (v < vecs) {
#pragma unroll
                for (int r = 0; r < ROWS; r++) acc[r] += dot_vec(w[r][i], xs + v * VEC_ELEMS);
            }
        }
        first += 32 * MAXV;
        if (first >= vecs) break;
        load_weights<ROWS, MAXV>(w, W, row0, N, K, vecs, first, lane);
    }
#pragma unroll
    for (int r = 0; r < ROWS; r++) {
        const int row = row0 + r;
        const float s = warp_sum(acc[r]);
        if (lane != 0 || row >= N) continue;
        y[row] = s * row_scale[r] + row_bias[r];
        if (EPI == EPI_BIAS_RESIDUAL) delta[row] = delta_init[row];
    }
}

#define GEMV_ENTRY(NAME, LN, EPI, ROWS, MAXV, THREADS)                                                              \
    extern "C" __global__ void __launch_bounds__(THREADS) NAME##_##MAXV(                                             \
        const WT* W, const float* scale, const float* bias, const float* x, float* delta, const float* delta_init,  \
        const float* ln_w, const float* ln_b, float eps, float* y, int N, int K) {                                   \
        gemv<LN, EPI, ROWS, MAXV>(W, scale, bias, x, delta, delta_init, ln_w, ln_b, eps, y, N, K);                  \
    }

// The vector counts per lane the host may pick (FusedDecoder.GemvVectorsPerLane lists the same).
// Up to 512 threads a block (FusedDecoder.GemvLaunch), so at most 128 registers a thread.
#define GEMV_SIZES(NAME, LN, EPI)                                                                                    \
    GEMV_ENTRY(NAME, LN, EPI, 1, 2, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 4, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 8, 512)  \
    GEMV_ENTRY(NAME, LN, EPI, 1, 12, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 16, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 24, 512)

GEMV_SIZES(gemv_ln_bias, true, EPI_BIAS)
GEMV_SIZES(gemv_bias_residual, false, EPI_BIAS_RESIDUAL)
// The lm_head: 4 rows per warp, so fewer blocks recompute ln_f (FusedDecoder.LmHeadVectorsPerLane).
GEMV_ENTRY(gemv_ln, true, EPI_NONE, 4, 2, 256)
GEMV_ENTRY(gemv_ln, true, EPI_NONE, 4, 4, 256)
GEMV_ENTRY(gemv_ln, true, EPI_NONE, 4, 8, 256)
