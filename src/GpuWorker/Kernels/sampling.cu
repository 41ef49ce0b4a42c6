// Picks the next token on the GPU, with no host synchronisation: greedy argmax, or temperature +
// top-k + the exponential race (argmax of p_i / E_i with E_i ~ Exp(1), i.e. argmax of
// logit_i / T - log E_i). One block; each pass re-reads the logits, which the lm_head just wrote
// and which stay in L2 (200 KB for GPT-2). The k-th largest logit is found
// by a radix select over the logits' order-preserving bit patterns (ties at the threshold are kept).
// The token goes to the next step's input, to the token history, and to a host-mapped ring that
// the host polls: each token reaches the host while the GPU already runs the next step.
#include "common.cuh"

#define THREADS 1024

__device__ __forceinline__ unsigned int order_key(float f) {
    unsigned int u = __float_as_uint(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

__device__ __forceinline__ float uniform01(unsigned long long seed, unsigned long long step, unsigned int i) {
    unsigned long long z = seed + 0x9E3779B97F4A7C15ull * (step * 0x100000001ull + i + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((float)(z >> 40) + 0.5f) * (1.0f / 16777216.0f); // in (0, 1)
}

// Block-wide argmax of (value, index); the smallest index wins ties.
__device__ void block_argmax(float& best, int& arg, float* sv, int* si) {
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) {
        float v = __shfl_xor_sync(0xffffffffu, best, o);
        int i = __shfl_xor_sync(0xffffffffu, arg, o);
        if (v > best || (v == best && i < arg)) { best = v; arg = i; }
    }
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) { sv[warp] = best; si[warp] = arg; }
    __syncthreads();
    if (warp == 0) {
        best = sv[lane]; arg = si[lane];
#pragma unroll
        for (int o = 16; o > 0; o >>= 1) {
            float v = __shfl_xor_sync(0xffffffffu, best, o);
            int i = __shfl_xor_sync(0xffffffffu, arg, o);
            if (v > best || (v == best && i < arg)) { best = v; arg = i; }
        }
    }
}

// state: [0] current token (the next step's input), [1] its position, [2] the step counter.
// seed_ptr: the sample's seed, in device memory so one captured graph serves every sample.
extern "C" __global__ void __launch_bounds__(THREADS) sample_token(
    const float* __restrict__ logits, int V, int greedy, float inv_temperature, int top_k,
    const unsigned long long* __restrict__ seed_ptr, int* __restrict__ state, int* __restrict__ history,
    volatile int* __restrict__ host_ring, int ring_capacity) {
    __shared__ unsigned int hist[256];
    __shared__ unsigned int chosen_prefix, chosen_remaining;
    __shared__ float sv[32];
    __shared__ int si[32];

    // Every lane runs the same number of iterations, so the warp-wide __match_any_sync below is converged.
    const int rounds = (V + THREADS - 1) / THREADS;

    unsigned int threshold = 0; // keys >= threshold are in the top k
    if (!greedy && top_k > 0 && top_k < V) {
        unsigned int prefix = 0, mask = 0, remaining = top_k;
        for (int shift = 24; shift >= 0; shift -= 8) {
            for (int b = threadIdx.x; b < 256; b += THREADS) hist[b] = 0;
            __syncthreads();
            for (int j = 0; j < rounds; j++) {
                const int i = j * THREADS + threadIdx.x;
                const unsigned int key = i < V ? order_key(logits[i]) : 0u;
                const bool in = i < V && (key & mask) == prefix;
                const unsigned int bin = in ? (key >> shift) & 0xFFu : 256u;
                // Lanes with the same bin add once: far fewer shared-memory atomics on crowded bins.
                const unsigned int peers = __match_any_sync(0xffffffffu, bin);
                if (in && (threadIdx.x & 31) == __ffs(peers) - 1) atomicAdd(&hist[bin], __popc(peers));
            }
            __syncthreads();
            if (threadIdx.x < 32) {
                // Lane l owns bins 255-8l .. 248-8l; a prefix sum from the top finds the bin holding the k-th largest.
                unsigned int local = 0;
                for (int b = 0; b < 8; b++) local += hist[255 - 8 * threadIdx.x - b];
                unsigned int incl = local;
#pragma unroll
                for (int o = 1; o < 32; o <<= 1) {
                    unsigned int n = __shfl_up_sync(0xffffffffu, incl, o);
                    if ((int)threadIdx.x >= o) incl += n;
                }
                const unsigned int excl = incl - local;
                if (excl < remaining && incl >= remaining) {
                    unsigned int above = excl;
                    for (int b = 0; b < 8; b++) {
                        const unsigned int bin = 255 - 8 * threadIdx.x - b, c = hist[bin];
                        if (above + c >= remaining) { chosen_prefix = bin; chosen_remaining = remaining - above; break; }
                        above += c;
                    }
                }
            }
            __syncthreads();
            prefix |= chosen_prefix << shift;
            mask |= 0xFFu << shift;
            remaining = chosen_remaining;
            __syncthreads();
        }
        threshold = prefix;
    }

    const int step = state[2];
    const unsigned long long seed = *seed_ptr;
    float best = -INFINITY;
    int arg = 0x7fffffff;
    for (int i = threadIdx.x; i < V; i += THREADS) {
        const float logit = logits[i];
        if (order_key(logit) < threshold) continue;
        float score = logit;
        if (!greedy) score = logit * inv_temperature - __logf(-__logf(uniform01(seed, step, i)));
        if (score > best || (score == best && i < arg)) { best = score; arg = i; }
    }
    block_argmax(best, arg, sv, si);
    if (threadIdx.x == 0) {
        state[0] = arg;
        state[1] += 1;
        state[2] = step + 1;
        history[step] = arg;
        if (step < ring_capacity) {
            host_ring[step] = arg;
            __threadfence_system();
        }
    }
}
