// What a grid barrier costs on this GPU with nothing else running, and how close the layer kernel's design is to the
// floor: (1) the one-way latency between two SMs through L2 (a flag ping-pong), (2) back-to-back grid barriers of one
// block an SM (512 threads, as the layer kernel), per barrier, for five designs. Each barrier is checked: before barrier
// k every block writes k to its own word, after it reads its neighbour's, which must be k (a wrong design counts
// errors). The layer kernel's design is common.cuh's grid_sync itself. Standalone, not part of the engine (nvcc
// -arch=sm_90 -O2 -DWEIGHTS_BF16 -I src/GpuWorker/Kernels -o barrier-floor barrier-floor.cu): the layer kernel's
// barrier release measures ~0.65 us in its phase profile (BENCHMARKS.md), and no design tried in it so far
// (counter copies, poll sleeps, relaxed polls, counted sums) went below that.
#include "common.cuh"
#include <cooperative_groups.h>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>

#define CHECK(x) do { cudaError_t e = (x); if (e != cudaSuccess) { printf("%s: %s\n", #x, cudaGetErrorString(e)); exit(1); } } while (0)
#define THREADS 512
#define STRIDE COUNTER_STRIDE // words between counters (different L2 lines)

__device__ __forceinline__ unsigned long long now_ns() {
    unsigned long long t;
    asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t) :: "memory");
    return t;
}
__device__ __forceinline__ unsigned int load_acquire(const unsigned int* p) {
    unsigned int v;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
    return v;
}
__device__ __forceinline__ void store_release(unsigned int* p, unsigned int v) {
    asm volatile("st.release.gpu.global.u32 [%0], %1;" ::"l"(p), "r"(v) : "memory");
}

// (1) Block 0 and block 1 pass a count back and forth `rounds` times: out[0] = ns a round trip (two one-way hops),
// out[1 + block] = the block's SM.
__global__ void ping_pong(unsigned int* flags, int rounds, double* out) {
    if (threadIdx.x != 0) return;
    unsigned int sm;
    asm volatile("mov.u32 %0, %smid;" : "=r"(sm));
    out[1 + blockIdx.x] = sm;
    unsigned int* mine = flags + blockIdx.x * STRIDE;
    const unsigned int* theirs = flags + (blockIdx.x ^ 1) * STRIDE;
    const unsigned long long t0 = now_ns();
    for (unsigned int i = 1; i <= (unsigned int)rounds; i++) {
        if (blockIdx.x == 0) {
            store_release(mine, i);
            while (load_acquire(theirs) < i) {}
        } else {
            while (load_acquire(theirs) < i) {}
            store_release(mine, i);
        }
    }
    if (blockIdx.x == 0) out[0] = (double)(now_ns() - t0) / rounds;
}

enum Design { HEAD_TWO_COPIES, ONE_COUNTER_NO_SLEEP, LAST_ARRIVER_FLAG, GROUPS_OF_TWELVE, COOPERATIVE_GROUPS, DESIGNS };
static const char* names[DESIGNS] = {
    "layer kernel's (common.cuh grid_sync): red.release on 2 counter copies, thread 0 polls its copy (ld.acquire, 16 ns sleep)",
    "one counter, ld.acquire polls without a sleep",
    "atom.add returns the count; the last arriver sets a flag (st.release) the others poll",
    "two levels: a counter a group of ~12 blocks, the group's last arriver adds to the top counter",
    "cooperative_groups grid.sync() (CUDA's own)"};

// The barrier of `design`, the k-th (k >= 1) of the launch. counters: zeroed before the launch.
__device__ __forceinline__ void barrier(int design, unsigned int* counters, unsigned int k) {
    const unsigned int G = gridDim.x;
    if (design == COOPERATIVE_GROUPS) { cooperative_groups::this_grid().sync(); return; }
    if (design == HEAD_TWO_COPIES) { // as layers.cu calls it: COUNTER_COPIES 2
        unsigned int target = (k - 1) * G;
        grid_sync(counters, target, 2);
        return;
    }
    __syncthreads();
    if (design == ONE_COUNTER_NO_SLEEP) {
        if (threadIdx.x == 0) {
            asm volatile("red.release.gpu.global.add.u32 [%0], 1;" ::"l"(counters) : "memory");
            while (load_acquire(counters) < k * G) {}
        }
    } else if (design == LAST_ARRIVER_FLAG) {
        if (threadIdx.x == 0) {
            unsigned int old;
            asm volatile("atom.acq_rel.gpu.global.add.u32 %0, [%1], 1;" : "=r"(old) : "l"(counters) : "memory");
            unsigned int* flag = counters + STRIDE;
            if (old == k * G - 1) store_release(flag, k);
            else while (load_acquire(flag) < k) __nanosleep(16);
        }
    } else if (design == GROUPS_OF_TWELVE) {
        if (threadIdx.x == 0) {
            const unsigned int groups = (G + 11) / 12, group = blockIdx.x % groups;
            const unsigned int size = G / groups + (group < G % groups ? 1 : 0);
            unsigned int* top = counters;
            unsigned int* mine = counters + (1 + group) * STRIDE;
            unsigned int old;
            asm volatile("atom.acq_rel.gpu.global.add.u32 %0, [%1], 1;" : "=r"(old) : "l"(mine) : "memory");
            if (old == k * size - 1) asm volatile("red.release.gpu.global.add.u32 [%0], 1;" ::"l"(top) : "memory");
            while (load_acquire(top) < k * groups) __nanosleep(16);
        }
    }
    __syncthreads();
}

// (2) `count` barriers back to back; out[0] = ns a barrier (block 0's clock), errors[0] += blocks that saw a stale word.
__global__ void __launch_bounds__(THREADS, 1) barriers(int design, unsigned int* counters, unsigned int* words, int count,
                                                       double* out, unsigned int* errors) {
    const unsigned int G = gridDim.x;
    unsigned int bad = 0;
    const unsigned long long t0 = now_ns();
    for (unsigned int k = 1; k <= (unsigned int)count; k++) {
        if (threadIdx.x == 0) words[blockIdx.x * STRIDE] = k;
        barrier(design, counters, k);
        if (threadIdx.x == 0 && *(volatile unsigned int*)(words + (blockIdx.x + 1) % G * STRIDE) != k) bad++;
        barrier(design, counters, ++k); // the neighbour's word must not move before it is read
    }
    if (threadIdx.x == 0 && bad) atomicAdd(errors, bad);
    if (blockIdx.x == 0 && threadIdx.x == 0) out[0] = (double)(now_ns() - t0) / count;
}

int main() {
    int sms, coop;
    CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    CHECK(cudaDeviceGetAttribute(&coop, cudaDevAttrCooperativeLaunch, 0));
    unsigned int *counters, *words, *errors;
    double* out;
    CHECK(cudaMalloc(&counters, 64 * STRIDE * sizeof(unsigned int)));
    CHECK(cudaMalloc(&words, sms * STRIDE * sizeof(unsigned int)));
    CHECK(cudaMalloc(&errors, sizeof(unsigned int)));
    CHECK(cudaMalloc(&out, 3 * sizeof(double)));
    const int reps = 7;
    auto sorted = [](std::vector<double> v) { std::sort(v.begin(), v.end()); return v; };

    std::vector<double> trips;
    for (int r = 0; r < reps; r++) {
        CHECK(cudaMemset(counters, 0, 64 * STRIDE * sizeof(unsigned int)));
        ping_pong<<<2, 32>>>(counters, 10000, out);
        CHECK(cudaDeviceSynchronize());
        double v[3];
        CHECK(cudaMemcpy(v, out, sizeof v, cudaMemcpyDeviceToHost));
        if (v[1] == v[2]) { printf("ping-pong: both blocks on SM %.0f, so no figure\n", v[1]); trips.clear(); break; }
        trips.push_back(v[0]);
    }
    auto t = sorted(trips);
    printf("%d SMs. Median (fastest..slowest) of %d launches.\n", sms, reps);
    if (!t.empty()) printf("two SMs through L2, a round trip (two one-way hops): %.0f (%.0f..%.0f) ns\n", t[reps / 2], t.front(), t.back());
    printf("grid barriers, %d blocks x %d threads, back to back, ns a barrier:\n", sms, THREADS);
    for (int d = 0; d < DESIGNS; d++) {
        if (d == COOPERATIVE_GROUPS && !coop) { printf("  %-4s (no cooperative launch on this device)\n", "-"); continue; }
        std::vector<double> per;
        unsigned int errs = 0;
        for (int r = 0; r < reps; r++) {
            CHECK(cudaMemset(counters, 0, 64 * STRIDE * sizeof(unsigned int)));
            CHECK(cudaMemset(words, 0, sms * STRIDE * sizeof(unsigned int)));
            CHECK(cudaMemset(errors, 0, sizeof(unsigned int)));
            int design = d, count = 20000;
            void* args[] = {&design, &counters, &words, &count, &out, &errors};
            // A cooperative launch for every design: it guarantees all blocks are resident, as the layer kernel's host check does.
            CHECK(cudaLaunchCooperativeKernel((void*)barriers, dim3(sms), dim3(THREADS), args, 0, 0));
            CHECK(cudaDeviceSynchronize());
            double v = 0;
            unsigned int e = 0;
            CHECK(cudaMemcpy(&v, out, sizeof v, cudaMemcpyDeviceToHost));
            CHECK(cudaMemcpy(&e, errors, sizeof e, cudaMemcpyDeviceToHost));
            per.push_back(v);
            errs += e;
        }
        auto p = sorted(per);
        printf("  %7.0f (%.0f..%.0f)  %s%s\n", p[reps / 2], p.front(), p.back(), names[d],
               errs ? "  ** STALE READS: not a barrier **" : "");
    }
    return 0;
}
