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
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < C; c += gridDim.x * blockDim.x) {
#if defined(WEIGHTS_INT8)
        x[c] = (float)wte[(size_t)t * C + c] * wte_scale[t] + (float)wpe[(size_t)p * C + c] * wpe_scale[p];
#elif defined(WEIGHTS_BF16)
        x[c] = __bfloat162float(wte[(size_t)t * C + c]) + __bfloat162float(wpe[(size_t)p * C + c]);
#else
        x[c] = wte[(size_t)t * C + c] + wpe[(size_t)p * C + c];
#endif
    }
}
