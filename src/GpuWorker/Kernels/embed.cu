// The residual stream's start: x = wte[token] + wpe[pos], in fp32. Token and position are read
// from device memory, so the same captured graph serves every step.
#include "common.cuh"

extern "C" __global__ void embed(const WT* __restrict__ wte, const float* __restrict__ wte_scale,
                                 const WT* __restrict__ wpe, const float* __restrict__ wpe_scale,
                                 const int* __restrict__ token, const int* __restrict__ pos,
                                 float* __restrict__ x, int C) {
    wait_for_previous_kernel();
    allow_next_kernel();
    const int t = *token, p = *pos;
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < C; c += gridDim.x * blockDim.x)
        x[c] = weight_at(wte, wte_scale, t, C, c) + weight_at(wpe, wpe_scale, p, C, c);
}
