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

// Programmatic dependent launch (Hopper and later). Every kernel here is launched so that the next kernel on
// the stream may start before it ends. A kernel first reads what no kernel of the same graph writes (weights;
// cache rows of earlier steps), then calls wait_for_previous_kernel() before touching anything an earlier
// kernel writes or a later one reads, then allow_next_kernel(): so only the next kernel starts early (to load
// its own weights), not every kernel after it. So a kernel that has not waited yet overlaps only the kernel
// before it: what older kernels wrote is already complete and may be read before waiting too. Without the
// launch attribute, or before sm_90, both calls are no-ops.
__device__ __forceinline__ void allow_next_kernel() {
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

__device__ __forceinline__ void wait_for_previous_kernel() {
#if __CUDA_ARCH__ >= 900
    asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

// Copies from global into shared memory that run while the block computes (cp.async): each thread issues its own,
// commit_copies() closes them into a group, await_copies<N>() waits for all of this thread's groups but the N most
// recent (then __syncthreads, for everyone's).
__device__ __forceinline__ void copy16(void* dst, const void* src) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"((unsigned int)__cvta_generic_to_shared(dst)), "l"(src) : "memory");
}
// The same, zeros instead where !valid (the source is not read).
__device__ __forceinline__ void copy16_or_zeros(void* dst, const void* src, bool valid) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"((unsigned int)__cvta_generic_to_shared(dst)), "l"(src), "r"(valid ? 16 : 0)
                 : "memory");
}
__device__ __forceinline__ void commit_copies() { asm volatile("cp.async.commit_group;" ::: "memory"); }
template <int PENDING>
__device__ __forceinline__ void await_copies() { asm volatile("cp.async.wait_group %0;" ::"n"(PENDING) : "memory"); }
// The same for a count known at run time: past 7 it waits as for 7, for more groups than asked (never fewer).
__device__ __forceinline__ void await_copies_at_most(int pending) {
    switch (pending) {
    case 0: await_copies<0>(); break;
    case 1: await_copies<1>(); break;
    case 2: await_copies<2>(); break;
    case 3: await_copies<3>(); break;
    case 4: await_copies<4>(); break;
    case 5: await_copies<5>(); break;
    case 6: await_copies<6>(); break;
    default: if (pending < 0) await_copies<0>(); else await_copies<7>();
    }
}

// A grid barrier, for kernels whose blocks are all resident at once: every block arrives and waits until all have.
// The release (after __syncthreads) publishes the whole block's writes, the acquire makes every block's visible to
// the waiting block. `target` counts the barriers passed times the grid; the launch finds the counter zero (each
// kernel says who resets it). The counter may be kept in `copies` copies COUNTER_STRIDE words apart (different L2
// lines): each block adds to every copy and polls copy blockIdx.x % copies, so fewer polls queue on one address.
#define COUNTER_STRIDE 64
__device__ __forceinline__ void arrive(unsigned int* counter, int copies = 1) {
    __syncthreads();
    if ((int)threadIdx.x < copies)
        asm volatile("red.release.gpu.global.add.u32 [%0], 1;" ::"l"(counter + threadIdx.x * COUNTER_STRIDE) : "memory");
}

__device__ __forceinline__ void wait_for(const unsigned int* counter, unsigned int target, int copies = 1) {
    if (threadIdx.x == 0) {
        counter += blockIdx.x % copies * COUNTER_STRIDE;
        unsigned int arrived;
        // A sleep between polls, so fewer polls queue at the counter: measured, 32 ns against none int8 step -1.5%, bf16
        // -0.3%; on the twenty-fifth session's kernel 16 ns against 32 decode +0.2..0.7%, 8 ns no faster than 16.
        for (;;) {
            asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(arrived) : "l"(counter) : "memory");
            if (arrived >= target) break;
            __nanosleep(16);
        }
    }
    __syncthreads();
}

__device__ __forceinline__ void grid_sync(unsigned int* counter, unsigned int& target, int copies = 1) {
    arrive(counter, copies);
    target += gridDim.x;
    wait_for(counter, target, copies);
}

// Adds K consecutive values into p[0, K) with one (vector) atomic whose result nobody waits for (red).
template <int K>
__device__ __forceinline__ void add_rows(float* p, const float (&v)[K]) {
    if constexpr (K == 4)
        asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %2, %3, %4};" ::"l"(p), "f"(v[0]), "f"(v[1]), "f"(v[2]), "f"(v[3]) : "memory");
    else if constexpr (K == 2) asm volatile("red.relaxed.gpu.global.add.v2.f32 [%0], {%1, %2};" ::"l"(p), "f"(v[0]), "f"(v[1]) : "memory");
    else asm volatile("red.relaxed.gpu.global.add.f32 [%0], %1;" ::"l"(p), "f"(v[0]) : "memory");
}

// Reductions over a warp by an operation, and a block's sums.
struct Sum {
    __device__ float operator()(float a, float b) const { return a + b; }
};
struct Max {
    __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

// warp_reduce and warp_sum reduce over each run of `width` lanes (a power of two up to 32; every lane of a run gets
// its run's result): the whole warp unless a run of lanes shares one row or position.
template <typename Op>
__device__ __forceinline__ float warp_reduce(float v, int width = 32) {
#pragma unroll
    for (int o = width / 2; o > 0; o >>= 1) v = Op()(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

__device__ __forceinline__ float warp_sum(float v, int width = 32) { return warp_reduce<Sum>(v, width); }
__device__ __forceinline__ float warp_max(float v) { return warp_reduce<Max>(v); }

// Sums of (a, b) over the block's `warps` warps (every thread gets them): a LayerNorm's sum and sum of squares in one
// reduction. scratch holds 64 floats and may be written again only after the caller's next __syncthreads. In two
// halves where the caller has work between them: block_sum2_publish (each warp's sums in scratch, then the barrier) and
// block_sum2_collect (every thread adds the warps' sums; scratch must not be written in between).
__device__ __forceinline__ void block_sum2_publish(float2 v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v.x = warp_sum(v.x);
    v.y = warp_sum(v.y);
    if (lane == 0) { scratch[warp] = v.x; scratch[32 + warp] = v.y; }
    __syncthreads();
}
__device__ __forceinline__ float2 block_sum2_collect(const float* scratch, int warps) {
    const int lane = threadIdx.x & 31;
    return make_float2(warp_sum(lane < warps ? scratch[lane] : 0.f), warp_sum(lane < warps ? scratch[32 + lane] : 0.f));
}
__device__ __forceinline__ float2 block_sum2(float2 v, float* scratch, int warps) {
    block_sum2_publish(v, scratch);
    return block_sum2_collect(scratch, warps);
}

// A LayerNorm's mean and 1 / deviation over C values from their (sum, sum of squares), E[x^2] - mean^2 in fp32: GPT-2's
// residual stream is far from constant, so it keeps its precision (the step check against Gpt2.Decode in fp32 measures it).
__device__ __forceinline__ float2 norm_stats(float2 sums, int C, float eps) {
    const float mean = sums.x / C;
    return make_float2(mean, rsqrtf(fmaxf(sums.y / C - mean * mean, 0.f) + eps));
}

// Four int8 (packed, the first in the low byte) as floats, without a conversion instruction (which runs at a
// quarter of the FMA rate and held int8 products behind bf16's): q + 128 as an unsigned byte in the mantissa
// of 2^23, then minus 2^23 + 128, exactly.
__device__ __forceinline__ float4 int8x4_to_float4(unsigned int q) {
    const unsigned int u = q ^ 0x80808080u;
    const float offset = 8388736.f;
    return make_float4(__uint_as_float(__byte_perm(u, 0x4B000000u, 0x7540)) - offset,
                       __uint_as_float(__byte_perm(u, 0x4B000000u, 0x7541)) - offset,
                       __uint_as_float(__byte_perm(u, 0x4B000000u, 0x7542)) - offset,
                       __uint_as_float(__byte_perm(u, 0x4B000000u, 0x7543)) - offset);
}

// Dot product of 16 bytes of weights with the matching activations (x: 16-byte aligned, read as float4).
__device__ __forceinline__ float dot_vec(const uint4& w, const float* x) {
    const float4* x4 = reinterpret_cast<const float4*>(x);
#if defined(WEIGHTS_BF16)
    const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&w);
    const float4 a = x4[0], b = x4[1];
    const float2 f0 = __bfloat1622float2(h[0]), f1 = __bfloat1622float2(h[1]);
    const float2 f2 = __bfloat1622float2(h[2]), f3 = __bfloat1622float2(h[3]);
    return f0.x * a.x + f0.y * a.y + f1.x * a.z + f1.y * a.w + f2.x * b.x + f2.y * b.y + f3.x * b.z + f3.y * b.w;
#elif defined(WEIGHTS_F32)
    const float* f = reinterpret_cast<const float*>(&w);
    const float4 a = x4[0];
    return f[0] * a.x + f[1] * a.y + f[2] * a.z + f[3] * a.w;
#else
    const unsigned int* q = reinterpret_cast<const unsigned int*>(&w);
    float s = 0.f;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const float4 a = x4[i], f = int8x4_to_float4(q[i]);
        s += f.x * a.x + f.y * a.y + f.z * a.z + f.w * a.w;
    }
    return s;
#endif
}

// Element (row, c) of a [rows, C] weight matrix as a float (int8: times the row's scale): the embeddings.
__device__ __forceinline__ float weight_at(const WT* w, const float* scale, size_t row, int C, int c) {
#if defined(WEIGHTS_INT8)
    return (float)w[row * C + c] * __ldg(scale + row);
#elif defined(WEIGHTS_BF16)
    return __bfloat162float(w[row * C + c]);
#else
    return w[row * C + c];
#endif
}

__device__ __forceinline__ float gelu_tanh(float x) {
    // GPT-2's "gelu_new": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const float k = 0.7978845608028654f;
    return 0.5f * x * (1.f + tanhf(k * (x + 0.044715f * x * x * x)));
}

// ---- sampler keys: the lm_head ranks its blocks by them, the sampler its candidates -----------------------------

typedef unsigned long long Key; // 0 is no candidate: every real key is larger

__device__ __forceinline__ unsigned int order_bits(float f) {
    const unsigned int u = __float_as_uint(f);
    return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

__device__ __forceinline__ float from_order_bits(unsigned int b) {
    return __uint_as_float((b & 0x80000000u) ? (b & 0x7fffffffu) : ~b);
}

__device__ __forceinline__ Key make_key(float value, int token) {
    return ((Key)order_bits(value) << 32) | (0xffffffffu - (unsigned int)token);
}

__device__ __forceinline__ int token_of(Key k) { return (int)(0xffffffffu - (unsigned int)k); }

// Keys the lm_head writes for each of its blocks: its rows' best BLOCK_KEYS, largest first (zeros where it has fewer rows),
// from which sampling.cu's one-block draw takes the top k (TokenSampler.BlockKeys computes the same on the host). Stored
// by rank: key j of block b at j * block_key_stride(blocks) + b, so the blocks' best keys, all the draw's pool needs, are
// one run it loads first; the stride is even (a zero key in the gap), so each run starts 16-byte aligned.
#define BLOCK_KEYS 3
__device__ __forceinline__ int block_key_stride(int blocks) { return (blocks + 1) & ~1; }

// The largest of the warp's keys, in every lane: the largest high word, then the largest low word among the lanes that
// hold it, each one redux.sync (sm_80 and later) instead of five rounds of two 32-bit shuffles.
__device__ __forceinline__ unsigned int warp_max_u32(unsigned int v) {
#if __CUDA_ARCH__ >= 800
    unsigned int m;
    asm volatile("redux.sync.max.u32 %0, %1, 0xffffffff;" : "=r"(m) : "r"(v));
    return m;
#else
#pragma unroll
    for (int o = 16; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
#endif
}
__device__ __forceinline__ Key warp_max_key(Key v) {
    const unsigned int high = warp_max_u32((unsigned int)(v >> 32));
    const unsigned int low = warp_max_u32((unsigned int)(v >> 32) == high ? (unsigned int)v : 0u);
    return ((Key)high << 32) | low;
}
