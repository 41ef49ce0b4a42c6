// Batch-1 matrix-vector products for every linear layer of GPT-2: y[N] = W[N,K] x[K] (+ bias ...).
// Weights are stored row-major [out, in]; each warp streams ROWS whole rows with 16-byte loads.
// At batch 1 a layer's product is too small to hide memory latency by itself, so each lane loads its
// share of the weights (and its rows' scale, bias and, for the projections, residual) into registers
// first (up to MAXV 16-byte vectors per row; larger K loops), before waiting for the previous kernel:
// the weight reads overlap that kernel's tail, and the LayerNorm of the input overlaps the weight reads.
// Entry points, by what is fused around the product (suffix _MAXV, chosen by the host from K):
//   gemv_ln_bias       LayerNorm(x) first (attention and MLP inputs), + bias
//   gemv_ln_bias_gelu  LayerNorm(x) first, + bias, GELU (MLP up-projection)
//   gemv_bias_residual + bias, added into the residual stream y in place (projections)
//   gemv_ln            the tied lm_head over ln_f, 4 rows per warp, with ln_f folded into the product (as the layer
//                      kernel's LayerNorms are, LayerKernel.FoldNorm): bias is then b + W shift and gain_sum W gain, so
//                      x is staged as gain * x and the rows finish as rstd (acc - mean gain_sum) scale + bias, with no
//                      pass normalising x and no barrier after it; where block_keys is set, also each block's best
//                      BLOCK_KEYS logits as sampler keys (common.cuh), for sampling.cu's one-block draw
// Launch with blockDim.x = 32 * warps (at most the entry point's bound) and K * 4 bytes of dynamic
// shared memory (3 K * 4 with LayerNorm); K is a multiple of 16. The host sizes blocks so that each SM
// gets about one: every block restages (and renormalises) x, so fewer, larger blocks read less of L2.
#include "common.cuh"

enum { EPI_BIAS = 0, EPI_BIAS_GELU = 1, EPI_BIAS_RESIDUAL = 2, EPI_NONE = 3 };

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
                                     const float* __restrict__ ln_w, const float* __restrict__ ln_b, float eps,
                                     float* __restrict__ y, int N, int K, Key* __restrict__ block_keys,
                                     const float* __restrict__ gain_sum) {
    constexpr bool FOLD = LN && EPI == EPI_NONE; // the lm_head
    // Shared memory: x (then normalised x), and with LayerNorm its gain and bias: K floats each.
    extern __shared__ __align__(16) float xs[];
    float* gain = xs + K;
    float* shift = xs + 2 * K;
    __shared__ float scratch[64];
    __shared__ Key row_keys[32]; // the block's rows' keys, where block_keys is set (the lm_head's 8 warps x 4 rows)
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    const int row0 = (blockIdx.x * warps + warp) * ROWS;
    const int vecs = K / VEC_ELEMS, quads = K / 4;
    uint4 w[ROWS][MAXV];
    load_weights<ROWS, MAXV>(w, W, row0, N, K, vecs, 0, lane);
    float row_scale[ROWS], row_bias[ROWS], row_gain_sum[ROWS];
#pragma unroll
    for (int r = 0; r < ROWS; r++) {
        const bool mine = lane == 0 && row0 + r < N;
#if defined(WEIGHTS_INT8)
        row_scale[r] = mine ? scale[row0 + r] : 0.f;
#else
        row_scale[r] = 1.f;
#endif
        row_bias[r] = mine ? bias[row0 + r] : 0.f;
        row_gain_sum[r] = FOLD && mine ? gain_sum[row0 + r] : 0.f;
        // The residual stream was last written two kernels back (attention and the MLP's first half sit
        // between), so it is complete already.
        if (EPI == EPI_BIAS_RESIDUAL && mine) row_bias[r] += y[row0 + r];
    }
    if (LN) {
#pragma unroll 4
        for (int i = threadIdx.x; i < quads; i += blockDim.x) {
            reinterpret_cast<float4*>(gain)[i] = reinterpret_cast<const float4*>(ln_w)[i];
            if (!FOLD) reinterpret_cast<float4*>(shift)[i] = reinterpret_cast<const float4*>(ln_b)[i];
        }
    }
    wait_for_previous_kernel();
    allow_next_kernel();

    // Stage x in shared memory, normalised when LayerNorm is fused in (every block recomputes the
    // statistics of the same K values from L2: cheaper than a separate launch). Loads are unrolled so
    // they are in flight together: this prologue is on every kernel's critical path.
    // The LayerNorm's mean and variance from one reduction of (sum, sum of squares), as in the layer kernel: measured,
    // the lm_head 0.4 us faster in bf16 and 0.55 in int8, decode +0.3..0.6% (BENCHMARKS.md, twenty-fourth session).
    float2 sums = make_float2(0.f, 0.f);
#pragma unroll 4
    for (int i = threadIdx.x; i < quads; i += blockDim.x) {
        const float4 v = reinterpret_cast<const float4*>(x)[i];
        if (FOLD) { // gain was staged by this thread, at this i
            const float4 g = reinterpret_cast<const float4*>(gain)[i];
            reinterpret_cast<float4*>(xs)[i] = make_float4(v.x * g.x, v.y * g.y, v.z * g.z, v.w * g.w);
        } else {
            reinterpret_cast<float4*>(xs)[i] = v;
        }
        sums.x += (v.x + v.y) + (v.z + v.w);
        sums.y += (v.x * v.x + v.y * v.y) + (v.z * v.z + v.w * v.w);
    }
    if (FOLD) { // the reduction's barrier also publishes xs; its sums are collected after the products
        block_sum2_publish(sums, scratch);
    } else {
        if (LN) {
            const float2 ln = norm_stats(block_sum2(sums, scratch, warps), K, eps);
            for (int k = threadIdx.x; k < K; k += blockDim.x) xs[k] = (xs[k] - ln.x) * ln.y * gain[k] + shift[k];
        }
        __syncthreads();
    }

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
    // ln_f's mean and 1 / deviation where folded.
    const float2 stats = FOLD ? norm_stats(block_sum2_collect(scratch, warps), K, eps) : make_float2(0.f, 1.f);
    Key key[ROWS]; // lane 0's rows' keys, where block_keys is set
#pragma unroll
    for (int r = 0; r < ROWS; r++) {
        const int row = row0 + r;
        float s = warp_sum(acc[r]);
        if (lane != 0) continue;
        s = (s - stats.x * row_gain_sum[r]) * stats.y * row_scale[r] + row_bias[r];
        if (EPI == EPI_BIAS_GELU) s = gelu_tanh(s);
        if (row < N) y[row] = s;
        key[r] = row < N ? make_key(s, row) : 0; // no row, no key
    }
    // row_keys holds 32: GemvKernel launches the lm_head with 8 warps of 4 rows (the gemv check finds keys unwritten otherwise).
    if (block_keys == nullptr || warps * ROWS > 32) return;
    if (lane == 0)
#pragma unroll
        for (int r = 0; r < ROWS; r++) row_keys[warp * ROWS + r] = key[r];
    __syncthreads();
    if (warp != 0) return;
    // The block's best BLOCK_KEYS, largest first: warp 0 takes the block's keys, one a lane, and the best of them in turn.
    Key k = lane < warps * ROWS ? row_keys[lane] : 0;
    const int stride = block_key_stride(gridDim.x);
#pragma unroll
    for (int j = 0; j < BLOCK_KEYS; j++) {
        const Key top = warp_max_key(k);
        if (k == top) k = 0; // keys are unique: only its holder's (or, with no keys left, zeros)
        if (lane == 0) block_keys[(size_t)j * stride + blockIdx.x] = top;
        if (lane == 0 && blockIdx.x == gridDim.x - 1 && stride > (int)gridDim.x) block_keys[(size_t)j * stride + gridDim.x] = 0; // the gap
    }
}

#define GEMV_ENTRY(NAME, LN, EPI, ROWS, MAXV, THREADS)                                                              \
    extern "C" __global__ void __launch_bounds__(THREADS) NAME##_##MAXV(                                             \
        const WT* W, const float* scale, const float* bias, const float* x, const float* ln_w, const float* ln_b,   \
        float eps, float* y, int N, int K, Key* block_keys, const float* gain_sum) {                                 \
        gemv<LN, EPI, ROWS, MAXV>(W, scale, bias, x, ln_w, ln_b, eps, y, N, K, block_keys, gain_sum);                \
    }

// The vector counts per lane the host may pick (GemvKernel.VectorsPerLane lists the same).
// Up to 512 threads a block (GemvKernel.Shape), so at most 128 registers a thread.
#define GEMV_SIZES(NAME, LN, EPI)                                                                                    \
    GEMV_ENTRY(NAME, LN, EPI, 1, 2, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 4, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 8, 512)  \
    GEMV_ENTRY(NAME, LN, EPI, 1, 12, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 16, 512) GEMV_ENTRY(NAME, LN, EPI, 1, 24, 512)

GEMV_SIZES(gemv_ln_bias, true, EPI_BIAS)
GEMV_SIZES(gemv_ln_bias_gelu, true, EPI_BIAS_GELU)
GEMV_SIZES(gemv_bias_residual, false, EPI_BIAS_RESIDUAL)
// The lm_head: 4 rows per warp, so fewer blocks recompute ln_f (GemvKernel.LmHeadVectorsPerLane).
GEMV_ENTRY(gemv_ln, true, EPI_NONE, 4, 2, 256)
GEMV_ENTRY(gemv_ln, true, EPI_NONE, 4, 4, 256)
GEMV_ENTRY(gemv_ln, true, EPI_NONE, 4, 8, 256)
