// Decode attention's per-position math over bf16 cache rows, shared by attention.cu and layers.cu: LANES
// lanes share one cached position, 16 bytes (8 dimensions) each.
#pragma once
#include "common.cuh"

// q . k over this lane's 8 dimensions, summed over the LANES lanes of the position's group.
template <int LANES>
__device__ __forceinline__ float score_of(const uint4& k, const float* q8) {
    const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&k);
    float a = 0.f;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const float2 f = __bfloat1622float2(h[i]);
        a += f.x * q8[2 * i] + f.y * q8[2 * i + 1];
    }
#pragma unroll
    for (int o = LANES / 2; o > 0; o >>= 1) a += __shfl_xor_sync(0xffffffffu, a, o);
    return a;
}

__device__ __forceinline__ void add_weighted(float (&o)[8], float p, const uint4& v) {
    const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&v);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const float2 f = __bfloat1622float2(h[i]);
        o[2 * i] += p * f.x;
        o[2 * i + 1] += p * f.y;
    }
}
