// Does issuing a bulk copy (cp.async.bulk, sm_90) hold up the warp that issues it, and for how long, against the same
// bytes as 16-byte cp.async from one warp? One block of one warp; lane 0 reads %clock64 before and after the issue and
// after the copy has landed, for the sizes of the layer kernel's fills. The source moves 4 MiB a repetition through a
// 1 GiB buffer, so every copy comes from memory, not L2. The cp.async copies are common.cuh's. Standalone, not part of
// the engine (nvcc -arch=sm_90 -O2 -DWEIGHTS_BF16 -I src/GpuWorker/Kernels -o issue-stall issue-stall.cu): it answers
// what bulk-copies/README.md leaves open (the layer kernel's barriers slowed by warp 1's bulk copies; whether bulk
// copies stall their issuing thread).
#include "common.cuh"
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>

#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s: %s\n", #x, cudaGetErrorString(e)); exit(1); } } while (0)

__device__ __forceinline__ unsigned int smem(const void* p) { return (unsigned int)__cvta_generic_to_shared(p); }

__device__ __forceinline__ void wait_parity(unsigned long long* bar, unsigned int parity) {
    unsigned int done;
    do {
        asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2; selp.u32 %0, 1, 0, p; }"
                     : "=r"(done) : "r"(smem(bar)), "r"(parity) : "memory");
    } while (!done);
}

// out[r] = {issue cycles, landed cycles after the issue} for repetition r, lane 0's clock. bulk: `lanes` lanes of warp 0
// issue one cp.async.bulk of `bytes` each (one warp instruction, as the layer kernel's fills of several runs), after lane
// 0 has announced lanes x bytes on the mbarrier; otherwise warp 0's 32 lanes issue lanes x bytes / 16 cp.async of 16
// bytes, committed and awaited.
__global__ void probe(const unsigned char* src, size_t span, int lanes, int bytes, int reps, bool bulk, long long* out) {
    extern __shared__ __align__(128) unsigned char buf[];
    __shared__ unsigned long long bar;
    if (threadIdx.x == 0) {
        asm volatile("mbarrier.init.shared::cta.b64 [%0], 1;" ::"r"(smem(&bar)) : "memory");
        asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
    }
    __syncthreads();
    const int total = lanes * bytes;
    for (int r = 0; r < reps; r++) {
        const unsigned char* from = src + (size_t)r * 4096 * 1024 % (span - total);
        long long t0, t1, t2;
        if (bulk) {
            t0 = clock64();
            if (threadIdx.x == 0) asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem(&bar)), "r"(total) : "memory");
            __syncwarp();
            if ((int)threadIdx.x < lanes)
                asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
                             ::"r"(smem(buf + threadIdx.x * bytes)), "l"(from + threadIdx.x * bytes), "r"(bytes), "r"(smem(&bar)) : "memory");
            t1 = clock64();
            wait_parity(&bar, r & 1);
            t2 = clock64();
        } else {
            t0 = clock64();
            for (int i = threadIdx.x; i < total / 16; i += 32) copy16(buf + 16 * i, from + 16 * i);
            commit_copies();
            t1 = clock64();
            await_copies<0>();
            __syncwarp();
            t2 = clock64();
        }
        if (threadIdx.x == 0) { out[2 * r] = t1 - t0; out[2 * r + 1] = t2 - t1; }
        __syncwarp();
    }
}

int main() {
    const size_t span = (size_t)1 << 30;
    unsigned char* src;
    long long* out;
    const int reps = 64;
    CHECK(cudaMalloc(&src, span));
    CHECK(cudaMemset(src, 1, span));
    CHECK(cudaMalloc(&out, 2 * reps * sizeof(long long)));
    CHECK(cudaFuncSetAttribute(probe, cudaFuncAttributeMaxDynamicSharedMemorySize, 200 * 1024));
    int clock_khz;
    CHECK(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, 0));
    printf("SM clock %.0f MHz (cycles below; the first 4 repetitions dropped, median (min..max) of the rest)\n", clock_khz / 1e3);
    printf("%-9s %5s %8s  %-26s %-26s\n", "copy", "lanes", "bytes", "issue, cycles", "landed after issue, cycles");
    struct Case { bool bulk; int lanes, bytes; };
    // Sizes of the layer kernel's fills at GPT-2 small: a bf16 row 1,536 bytes, a block's 17 QKV rows 26,112 (its three
    // runs ~8,704 each), 26 MLP rows 39,936; gpt2-large's 65 rows of 1,536 99,840; the projection piece's 128-byte rows.
    const Case cases[] = {{true, 1, 128}, {true, 1, 1536}, {true, 1, 13056}, {true, 1, 26112}, {true, 1, 39936},
                          {true, 1, 99840}, {true, 3, 8704}, {true, 32, 128}, {true, 32, 1536},
                          {false, 1, 1536}, {false, 1, 26112}, {false, 1, 39936}, {false, 1, 99840}};
    for (const Case& c : cases) {
        probe<<<1, 32, 200 * 1024>>>(src, span, c.lanes, c.bytes, reps, c.bulk, out);
        CHECK(cudaGetLastError());
        CHECK(cudaDeviceSynchronize());
        std::vector<long long> h(2 * reps);
        CHECK(cudaMemcpy(h.data(), out, h.size() * sizeof(long long), cudaMemcpyDeviceToHost));
        char cells[2][64];
        for (int k = 0; k < 2; k++) {
            std::vector<long long> v;
            for (int r = 4; r < reps; r++) v.push_back(h[2 * r + k]);
            std::sort(v.begin(), v.end());
            snprintf(cells[k], sizeof cells[k], "%lld (%lld..%lld)", v[v.size() / 2], v.front(), v.back());
        }
        printf("%-9s %5d %8d  %-26s %-26s\n", c.bulk ? "bulk" : "cp.async", c.lanes, c.bytes, cells[0], cells[1]);
    }
    return 0;
}
