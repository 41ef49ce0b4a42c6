// Shared helpers for gptbench's kernels. Compiled with NVRTC; WT (the weight type) is set per module:
// -DWEIGHTS_BF16, -DWEIGHTS_F32 or -DWEIGHTS_INT8 (int8 with one float scale per output row).
#pragma once
#include <cuda_bf16.h>

// NVRTC has no <math.h>.
#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif

#if defined(WEIGHTS_BF16)
typedef __nv_bfloat16 WT;
#define VEC_ELEMS 8
#elif defined(WEIGHTS_F32)
typedef float WT;
#define VEC_ELEMS 4
#elif defined(WEIGHTS_INT8)
typedef signed char WT;
#define VEC_ELEMS 16
#else
#error "define WEIGHTS_BF16, WEIGHTS_F32 or WEIGHTS_INT8"
#endif

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

// Sum over the block; every thread gets the result. scratch holds 32 floats.
__device__ float block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_sum(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < warps ? scratch[lane] : 0.f;
    return warp_sum(v);
}

// Dot product of 16 bytes of weights with the matching activations.
__device__ __forceinline__ float dot_vec(const uint4& w, const float* x) {
#if defined(WEIGHTS_BF16)
    const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&w);
    float s = 0.f;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        float2 f = __bfloat1622float2(h[i]);
        s = fmaf(f.x, x[2 * i], s);
        s = fmaf(f.y, x[2 * i + 1], s);
    }
    return s;
#elif defined(WEIGHTS_F32)
    const float* f = reinterpret_cast<const float*>(&w);
    return f[0] * x[0] + f[1] * x[1] + f[2] * x[2] + f[3] * x[3];
#else
    const signed char* q = reinterpret_cast<const signed char*>(&w);
    float s = 0.f;
#pragma unroll
    for (int i = 0; i < 16; i++) s = fmaf((float)q[i], x[i], s);
    return s;
#endif
}

__device__ __forceinline__ float gelu_tanh(float x) {
    // GPT-2's "gelu_new": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const float k = 0.7978845608028654f;
    return 0.5f * x * (1.f + tanhf(k * (x + 0.044715f * x * x * x)));
}
