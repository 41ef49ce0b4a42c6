// Decode attention's math shared by attention.cu and layers.cu: a score over bf16 cache rows (LANES lanes share
// one cached position, 16 bytes = 8 dimensions each), and the rescaling that merges partial softmaxes.
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
    return warp_sum(a, LANES);
}

// exp(m - to), where m may be -inf (a slice or lane that saw no position) even when `to` is too: the weight of a
// partial softmax with max m in one whose max is `to`.
__device__ __forceinline__ float rescale(float m, float to) { return m == -INFINITY ? 0.f : __expf(m - to); }
