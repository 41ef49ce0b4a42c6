// GPT-2's whole MLP in one kernel, split over its hidden units: a block takes 8 * UNITS of them,
// computes h = GELU(W_fc LayerNorm(x) + b_fc) for each, multiplies them into their columns of the
// down-projection and adds that share of the output into delta with atomics (fp32, so the order of
// the additions varies run to run by rounding). The next kernel reads the residual stream as
// x + delta; the output projection folds delta into x (gemv.cu). delta starts as the MLP's bias.
// W_fc is [hidden, C] row-major and the down-projection is stored transposed, [hidden, C], so each
// unit's input and output weights are one row each, streamed with 16-byte loads like gemv.cu's;
// with int8 weights, fc_scale is per hidden unit and proj_scale per output (column).
// Launch with 256 threads and C * 16 bytes of dynamic shared memory; C is a multiple of 16.
#include "common.cuh"

#define THREADS 256

template <int MAXV>
struct Mlp {
    static constexpr int UNITS = MAXV <= 4 ? 4 : 2; // hidden units per warp (FusedDecoder.MlpLaunch)
};

template <int MAXV>
__device__ __forceinline__ void mlp(const WT* __restrict__ w_fc, const float* __restrict__ fc_scale,
                                    const float* __restrict__ fc_bias, const WT* __restrict__ w_proj,
                                    const float* __restrict__ proj_scale, const float* __restrict__ x,
                                    const float* __restrict__ ln_w, const float* __restrict__ ln_b, float eps,
                                    float* __restrict__ delta, int hidden, int C) {
    constexpr int UNITS = Mlp<MAXV>::UNITS;
    extern __shared__ __align__(16) float xs[]; // x (normalised), gain, shift, the block's share of the output
    float* gain = xs + C;
    float* shift = xs + 2 * C;
    float* out = xs + 3 * C;
    __shared__ float scratch[32];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int unit0 = (blockIdx.x * (THREADS / 32) + warp) * UNITS;
    const int vecs = C / VEC_ELEMS;

    // Both matrices' rows for this warp's units, their bias and scale, and LayerNorm's parameters:
    // none depends on an earlier kernel, so all are read before waiting.
    uint4 up[UNITS][MAXV], down[UNITS][MAXV];
    float unit_bias[UNITS], unit_scale[UNITS];
#pragma unroll
    for (int u = 0; u < UNITS; u++) {
        const bool real = unit0 + u < hidden;
        const uint4* a = reinterpret_cast<const uint4*>(w_fc + (size_t)(unit0 + u) * C);
        const uint4* b = reinterpret_cast<const uint4*>(w_proj + (size_t)(unit0 + u) * C);
#pragma unroll
        for (int i = 0; i < MAXV; i++) {
            const int v = lane + 32 * i;
            up[u][i] = real && v < vecs ? __ldg(a + v) : make_uint4(0, 0, 0, 0);
            down[u][i] = real && v < vecs ? __ldg(b + v) : make_uint4(0, 0, 0, 0);
        }
        unit_bias[u] = real ? fc_bias[unit0 + u] : 0.f;
#if defined(WEIGHTS_INT8)
        unit_scale[u] = real ? fc_scale[unit0 + u] : 0.f;
#else
        unit_scale[u] = 1.f;
#endif
    }
    stage_gain_shift(ln_w, ln_b, gain, shift, C);
    for (int i = threadIdx.x; i < C; i += THREADS) out[i] = 0.f;
    wait_for_previous_kernel();
    allow_next_kernel();
    stage_input(x, nullptr, gain, shift, eps, xs, C, scratch);

    // Up-projection and GELU: every lane gets each unit's activation (warp_sum leaves it in all lanes).
    float h[UNITS];
#pragma unroll
    for (int u = 0; u < UNITS; u++) {
        float a = 0.f;
#pragma unroll
        for (int i = 0; i < MAXV; i++) {
            const int v = lane + 32 * i;
            if (v < vecs) a += dot_vec(up[u][i], xs + v * VEC_ELEMS);
        }
        h[u] = unit0 + u < hidden ? gelu_tanh(warp_sum(a) * unit_scale[u] + unit_bias[u]) : 0.f;
    }
    // Down-projection: this lane's outputs (VEC_ELEMS per vector it holds) over the warp's units, then
    // summed over the block's warps in shared memory and over blocks in delta.
#pragma unroll
    for (int i = 0; i < MAXV; i++) {
        const int v = lane + 32 * i;
        if (v >= vecs) continue;
        float o[VEC_ELEMS];
#pragma unroll
        for (int e = 0; e < VEC_ELEMS; e++) o[e] = 0.f;
#pragma unroll
        for (int u = 0; u < UNITS; u++) add_scaled_vec(o, h[u], down[u][i]);
#pragma unroll
        for (int e = 0; e < VEC_ELEMS; e++) atomicAdd(&out[v * VEC_ELEMS + e], o[e]);
    }
    __syncthreads();
    for (int i = threadIdx.x; i < C; i += THREADS) {
#if defined(WEIGHTS_INT8)
        atomicAdd(&delta[i], out[i] * proj_scale[i]);
#else
        atomicAdd(&delta[i], out[i]);
#endif
    }
}

// One entry point per look-ahead (FusedDecoder.MlpVectorsPerLane lists the same).
#define MLP_ENTRY(MAXV)                                                                                              \
    extern "C" __global__ void __launch_bounds__(THREADS) mlp_##MAXV(                                                \
        const WT* w_fc, const float* fc_scale, const float* fc_bias, const WT* w_proj, const float* proj_scale,      \
        const float* x, const float* ln_w, const float* ln_b, float eps, float* delta, int hidden, int C) {           \
        mlp<MAXV>(w_fc, fc_scale, fc_bias, w_proj, proj_scale, x, ln_w, ln_b, eps, delta, hidden, C);                \
    }

MLP_ENTRY(2)
MLP_ENTRY(4)
MLP_ENTRY(8)
