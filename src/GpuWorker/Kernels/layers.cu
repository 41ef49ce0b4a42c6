// Every transformer layer of one GPT-2 decode step in one persistent kernel: one block per SM, and instead
// of a launch between the steps of a layer, a grid-wide barrier (3 per layer, the first one dropped). The
// weights do not depend on the token, so each block copies its rows of the coming phases' matrices into
// three shared-memory buffers (cp.async) a phase or two ahead, and loads biases, LayerNorm parameters and the
// cache rows of earlier positions before the barrier that precedes their use; after a barrier a block only
// reads the small activation vector from L2 and multiplies. BENCHMARKS.md has its per-phase profile.
//
// Phases of layer l (each block takes rows [b N / G, (b + 1) N / G) of an N-row matrix):
//   QKV       x  -> LayerNorm 1 -> qkv = W_attn . + b; the new key and value also go into the cache
//   attention qkv, cache -> per (head, slice of positions) a partial softmax (max, sum, weighted values),
//             counted in the head's counter; the blocks are grouped by head, and each waits for its head's
//             slices, merges them and adds W_proj[its rows, its head's columns] . into x_mid with atomics:
//             no barrier between attention and projection
//   MLP       x_mid -> LayerNorm 2 -> hidden = GELU(W_fc . + b) for the block's rows, whose share of the
//             down-projection (those rows of W_mlp_proj^T, [4C, C]) is added into x_out with atomics
// A layer reads x_in and builds x_mid (after attention) and x_out (its output): the block owning a row starts
// x_mid as x_in + b_proj and x_out as 0 in the QKV phase, and adds x_mid + b_mlp_proj into x_out in the MLP
// phase; the atomics add the rest. Three buffers rotate by layer, so no atomic touches what another block may
// still be reading. Every block adds its down-projection share to all C outputs: into one of REPLICAS copies of
// x_out (by block), which the next layer sums as it loads them, so fewer atomics queue on each address. The
// embedding (wte[token] + wpe[pos]) is the first layer's x_in, computed by every block, so no kernel runs
// before this one.
//
// Launch: gridDim.x blocks, all resident at once (the host checks occupancy), THREADS threads, dynamic
// shared memory for three weight buffers of buffer_bytes and the activations (LayerKernel.PlanFor). Reads
// the token, position and step from state (written by the previous step's sampler, so only after waiting for it).
#include "common.cuh"
#include "attention.cuh"

#define THREADS 512
#define WARPS (THREADS / 32)
#define MAX_ROWS 64       // rows of one matrix a block takes at most (their partial sums live in shared memory)
#define MAX_PER_THREAD 4  // LayerNorm keeps its C / THREADS gains and shifts in registers: C <= 2048
#define MAX_LAYERS 48     // the layer table lives in shared memory
#define MAX_SLICES 12     // attention slices per head (LayerKernel caps max_slices)
#define MAX_PIECE_ROWS 256 // rows of the attention projection a block takes for its head (LayerKernel checks)
#define RED_V4(p, a, b, c, d) asm volatile("red.relaxed.gpu.global.add.v4.f32 [%0], {%1, %2, %3, %4};" \
                                           :: "l"(p), "f"(a), "f"(b), "f"(c), "f"(d) : "memory")
#define REPLICAS 4        // copies of a layer's output the down-projection's atomics are spread over

enum { QKV = 0, PROJ = 1, FC = 2, MLP_PROJ = 3, MATRICES = 4 };
enum { QKV_PHASE = 0, ATTENTION_PHASE = 1, MLP_PHASE = 2 };

// One layer's parameters, as the host lays them out in device memory (LayerKernel.Table); the MLP's
// down-projection weight is stored transposed, [4C, C], so a block's slice of it is contiguous.
struct LayerParams {
    const WT* weight[MATRICES];
    const float* scale[MATRICES]; // int8: one per output row; otherwise unused
    const float* bias[MATRICES];
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
};

struct Model {
    const LayerParams* layers;
    const WT* wte; const float* wte_scale;
    const WT* wpe; const float* wpe_scale;
    int L, C, H, T; // layers, width, heads, cache positions
    float eps;
};

struct Buffers {
    float* x;        // [C] residual stream: the last layer's output (what the lm_head reads)
    float* residual; // [3, REPLICAS, C] the buffers of the residual stream the layers rotate through
    float* qkv;      // [3 C]
    float* partial;  // [H, max_slices, D + 2] attention slices: weighted values, max, sum
    __nv_bfloat16* cache; // [L, 2, H, T, D]
    unsigned int* counters; // [2, 1 + H] per step parity: grid barrier arrivals, then each head's finished slices
    unsigned long long* trace; // null, or [blocks, TRACE_EVENTS] %globaltimer stamps (LayerKernel.Profile)
    int max_slices;
};

// The trace: per layer and phase, when the block reached the barrier, passed it, had its input, was done.
#define PHASES 3
#define EVENTS 4
enum { ARRIVED = 0, PASSED = 1, INPUT = 2, DONE = 3 };
#define TRACE_EVENTS(L) ((L) * PHASES * EVENTS)
__device__ __forceinline__ void stamp(const Buffers& b, int layer, int phase, int event, int L) {
    if (b.trace == nullptr || threadIdx.x != 0) return;
    unsigned long long t;
    asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t) :: "memory");
    b.trace[(size_t)blockIdx.x * TRACE_EVENTS(L) + (layer * PHASES + phase) * EVENTS + event] = t;
}

// Rows of the matrices split by rows (QKV and MLP up; the projection is split by head, below).
__device__ __forceinline__ int rows_of(int m, int C) { return m == QKV ? 3 * C : 4 * C; }
__device__ __forceinline__ int first_row(int n, int block) { return (int)((long long)n * block / gridDim.x); }

// Loads issued exactly here. What a phase can read before its barrier (weights, biases, cache rows of earlier
// positions) is loaded with these: the compiler may otherwise sink an ordinary load of read-only data past the
// barrier to where it is used, putting a trip to memory back on the critical path.
__device__ __forceinline__ float load_now(const float* p) {
    float v;
    asm volatile("ld.global.nc.f32 %0, [%1];" : "=f"(v) : "l"(p) : "memory");
    return v;
}
__device__ __forceinline__ uint4 load_now(const uint4* p) {
    uint4 v;
    asm volatile("ld.global.cg.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p) : "memory");
    return v;
}
// 16 bytes from shared memory as one instruction. Handed on by reference, a uint4 of weights was read as four
// 4-byte loads (each a 4-way bank conflict): measured, the products took 3.7 us a phase instead of 2.0.
__device__ __forceinline__ uint4 load_shared(const void* p) {
    uint4 v;
    asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
                 : "r"((unsigned int)__cvta_generic_to_shared(p)) : "memory");
    return v;
}

// dot_vec over a weight vector and its activations, both in shared memory, each loaded 16 bytes at a time.
__device__ __forceinline__ float dot_shared(const uint4* w, const float* x) {
    uint4 xv[VEC_ELEMS / 4];
#pragma unroll
    for (int i = 0; i < VEC_ELEMS / 4; i++) xv[i] = load_shared(x + 4 * i);
    return dot_vec(load_shared(w), reinterpret_cast<const float*>(xv));
}

// ---- how a block's rows of a matrix are split over its warps --------------------------------------------

// A block takes rows [row0, row0 + rows) of an N x K matrix; a warp takes a unit: a row, or a segment of one
// when there are fewer rows than warps.
struct Split {
    int row0, rows, K, vecs, segments, per_segment, units;
    __device__ Split(int matrix, const Model& m) {
        const int n = rows_of(matrix, m.C);
        row0 = first_row(n, blockIdx.x);
        rows = first_row(n, blockIdx.x + 1) - row0;
        K = m.C; // every matrix this kernel splits by rows is [N, C] (the down-projection is stored transposed)
        vecs = K / VEC_ELEMS;
        segments = rows >= WARPS || rows == 0 ? 1 : WARPS / rows;
        per_segment = (vecs + segments - 1) / segments;
        units = rows * segments;
    }
};

// Weight copies are issued by every warp but the first: thread 0 signals the barriers, and its release waits
// for its own outstanding copies (measured: 7 us a step).
#define COPY_THREAD ((int)threadIdx.x - 32)
#define COPY_THREADS (THREADS - 32)

// The block's rows of W into shared memory, each thread its own 16-byte pieces, as one cp.async group: the
// copy runs while the block goes through barriers and other phases.
__device__ __forceinline__ void copy_rows(unsigned char* dst, const WT* W, const Split& g) {
    const uint4* src = reinterpret_cast<const uint4*>(W + (size_t)g.row0 * g.K);
    const unsigned int base = (unsigned int)__cvta_generic_to_shared(dst);
    for (int i = COPY_THREAD; i >= 0 && i < g.rows * g.vecs; i += COPY_THREADS)
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(base + 16 * i), "l"(src + i) : "memory");
    asm volatile("cp.async.commit_group;" ::: "memory");
}

// Waits until this thread's copies are done but the `pending` most recent, then until every thread's are.
template <int PENDING>
__device__ __forceinline__ void wait_for_copies() {
    asm volatile("cp.async.wait_group %0;" :: "n"(PENDING) : "memory");
    __syncthreads();
}

// ---- counters: the grid barrier and the heads' finished slices ---------------------------------------------

// The block adds one to a counter; the release (after __syncthreads) publishes the whole block's writes.
__device__ __forceinline__ void arrive(unsigned int* counter) {
    __syncthreads();
    if (threadIdx.x == 0) asm volatile("red.release.gpu.global.add.u32 [%0], 1;" :: "l"(counter) : "memory");
}

// Waits until the counter reaches target; what the blocks that counted wrote is visible to the whole block after.
__device__ __forceinline__ void wait_for(const unsigned int* counter, unsigned int target) {
    if (threadIdx.x == 0) {
        unsigned int arrived;
        do {
            asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(arrived) : "l"(counter) : "memory");
        } while (arrived < target);
    }
    __syncthreads();
}

// Every block arrives and waits until all have: `target` counts the barriers passed times the grid. The
// counters of the other step parity (the previous step's, finished before this kernel started) are reset by
// block 0 for the next step, so the counters need no kernel of their own.
__device__ __forceinline__ void grid_sync(unsigned int* counter, unsigned int& target) {
    arrive(counter);
    target += gridDim.x;
    wait_for(counter, target);
}

// ---- a matrix-vector product ---------------------------------------------------------------------------

// Where the layer's values go: its residual input, the residual after attention, its output, and the block's
// hidden units (shared memory).
struct LayerIO {
    float* x_in;
    float* x_mid;
    float* x_out;
    int in_replicas, out_replicas; // copies of x_in to sum, copies of x_out to spread the atomics over
    float* hidden;
};

// Where a finished row's value goes (scaled and biased already): QKV into qkv and the cache, FC into hidden.
__device__ __forceinline__ void finish_row(int matrix, int row, float v, const LayerIO& io, const Model& m,
                                           const Buffers& b, int layer, int pos, int D) {
    if (matrix == FC) { io.hidden[threadIdx.x] = gelu_tanh(v); return; }
    __stcg(b.qkv + row, v);
    if (row >= m.C) { // key or value: into the cache at this position, rounded as the cache holds it
        const int which = row / m.C - 1, c = row % m.C, h = c / D, d = c % D;
        b.cache[((((size_t)layer * 2 + which) * m.H + h) * m.T + pos) * D + d] = __float2bfloat16(v);
    }
}

// A row's bias and (int8) scale, held by thread (row - the block's first row): weights, so they are loaded a
// phase ahead.
struct RowConstants { float bias, scale; };

__device__ __forceinline__ RowConstants row_constants(const LayerParams& p, int matrix, const Split& g) {
    RowConstants k = {0.f, 1.f};
    if (threadIdx.x < g.rows) {
        k.bias = load_now(p.bias[matrix] + g.row0 + threadIdx.x);
#if defined(WEIGHTS_INT8)
        k.scale = load_now(p.scale[matrix] + g.row0 + threadIdx.x);
#endif
    }
    return k;
}

// The block's rows of `matrix` (in shared memory at `rows`) times xs (K floats in shared memory): a warp takes
// a unit at a time.
__device__ void multiply(const unsigned char* rows, const Split& g, int matrix, RowConstants k, const float* xs,
                         float* partials, const LayerIO& io, const Model& m, const Buffers& b, int layer, int pos, int D) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    for (int unit = warp; unit < g.units; unit += WARPS) {
        const int v0 = (unit % g.segments) * g.per_segment, v1 = min(g.vecs, v0 + g.per_segment);
        const uint4* w = reinterpret_cast<const uint4*>(rows) + (size_t)(unit / g.segments) * g.vecs;
        float acc = 0.f;
#pragma unroll 4
        for (int v = v0 + lane; v < v1; v += 32) acc += dot_shared(w + v, xs + v * VEC_ELEMS);
        acc = warp_sum(acc);
        if (lane == 0) partials[unit] = acc;
    }
    __syncthreads();
    if (threadIdx.x < g.rows) {
        const int row = g.row0 + threadIdx.x;
        float v = 0.f;
        for (int s = 0; s < g.segments; s++) v += partials[threadIdx.x * g.segments + s];
        finish_row(matrix, row, v * k.scale + k.bias, io, m, b, layer, pos, D);
    }
}

// The block's share of the MLP down-projection: its hidden units (io.hidden, `rows` of them) times the same rows
// of W_mlp_proj^T (in shared memory at `wt`, [rows, C]), added into the layer's output. A thread takes four
// neighbouring outputs (its weight reads consecutive across the warp) and adds them with one vector atomic.
__device__ __forceinline__ void add_down_projection(const unsigned char* wt, int rows, const float* scale, const LayerIO& io, int C) {
    const WT* w = reinterpret_cast<const WT*>(wt);
    for (int o = 4 * threadIdx.x; o < C; o += 4 * THREADS) {
        float a[4] = {0.f, 0.f, 0.f, 0.f};
        for (int j = 0; j < rows; j++) {
            const float h = io.hidden[j];
            const WT* wj = w + (size_t)j * C + o;
#if defined(WEIGHTS_BF16)
            const uint2 q = *reinterpret_cast<const uint2*>(wj);
            const float2 f0 = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(&q.x));
            const float2 f1 = __bfloat1622float2(*reinterpret_cast<const __nv_bfloat162*>(&q.y));
            const float f[4] = {f0.x, f0.y, f1.x, f1.y};
#elif defined(WEIGHTS_INT8)
            const float4 q = int8x4_to_float4(*reinterpret_cast<const unsigned int*>(wj));
            const float f[4] = {q.x, q.y, q.z, q.w};
#else
            const float4 q = *reinterpret_cast<const float4*>(wj);
            const float f[4] = {q.x, q.y, q.z, q.w};
#endif
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] += f[i] * h;
        }
#if defined(WEIGHTS_INT8)
#pragma unroll
        for (int i = 0; i < 4; i++) a[i] *= __ldg(scale + o + i);
#endif
        RED_V4(io.x_out + (size_t)(blockIdx.x % io.out_replicas) * C + o, a[0], a[1], a[2], a[3]);
    }
}

// ---- activations into shared memory ------------------------------------------------------------------------

// LayerNorm's gain and shift for this thread's elements (c = threadIdx.x + i THREADS): loaded before the barrier.
struct NormConstants { float gain[MAX_PER_THREAD], shift[MAX_PER_THREAD]; };

__device__ __forceinline__ NormConstants norm_constants(const float* gain, const float* shift, int C) {
    NormConstants k;
#pragma unroll
    for (int i = 0; i < MAX_PER_THREAD; i++) {
        const int c = threadIdx.x + i * THREADS;
        k.gain[i] = c < C ? load_now(gain + c) : 0.f;
        k.shift[i] = c < C ? load_now(shift + c) : 0.f;
    }
    return k;
}

// Sums of (a, b) over the block (every thread gets them); scratch holds 64 floats and may be written again only
// after the caller's next __syncthreads.
__device__ __forceinline__ float2 block_sum2(float2 v, float* scratch) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    v.x = warp_sum(v.x);
    v.y = warp_sum(v.y);
    if (lane == 0) { scratch[warp] = v.x; scratch[32 + warp] = v.y; }
    __syncthreads();
    v.x = warp_sum(lane < WARPS ? scratch[lane] : 0.f);
    v.y = warp_sum(lane < WARPS ? scratch[32 + lane] : 0.f);
    return v;
}

// xs = LayerNorm(xs) over C values. Mean and variance from one reduction of (sum, sum of squares) in fp32:
// GPT-2's residual stream is far from constant, so E[x^2] - mean^2 keeps its precision (the step check
// against Gpt2.Decode in fp32 measures it).
__device__ void layer_norm(float* xs, const NormConstants& k, int C, float eps, float* scratch) {
    float2 sums = make_float2(0.f, 0.f);
#pragma unroll
    for (int i = 0; i < MAX_PER_THREAD; i++) {
        const int c = threadIdx.x + i * THREADS;
        if (c < C) { const float x = xs[c]; sums.x += x; sums.y += x * x; }
    }
    sums = block_sum2(sums, scratch);
    const float mean = sums.x / C;
    const float rstd = rsqrtf(fmaxf(sums.y / C - mean * mean, 0.f) + eps);
#pragma unroll
    for (int i = 0; i < MAX_PER_THREAD; i++) { const int c = threadIdx.x + i * THREADS; if (c < C) xs[c] = (xs[c] - mean) * rstd * k.gain[i] + k.shift[i]; }
    __syncthreads();
}

// xs = the sum of `replicas` copies of v (n floats each), every load issued before the first add.
__device__ void load_vector(float* xs, const float* v, int replicas, int n) {
    for (int i = threadIdx.x; i < n / 4; i += THREADS) {
        float4 r[REPLICAS];
#pragma unroll
        for (int k = 0; k < REPLICAS; k++)
            r[k] = k < replicas ? __ldcg(reinterpret_cast<const float4*>(v + (size_t)k * n) + i) : make_float4(0.f, 0.f, 0.f, 0.f);
#pragma unroll
        for (int k = 1; k < REPLICAS; k++) { r[0].x += r[k].x; r[0].y += r[k].y; r[0].z += r[k].z; r[0].w += r[k].w; }
        reinterpret_cast<float4*>(xs)[i] = r[0];
    }
    __syncthreads();
}

__device__ __forceinline__ float weight_at(const WT* w, const float* scale, size_t row, int C, int c) {
#if defined(WEIGHTS_INT8)
    return (float)w[row * C + c] * __ldg(scale + row);
#elif defined(WEIGHTS_BF16)
    return __bfloat162float(w[row * C + c]);
#else
    return w[row * C + c];
#endif
}

// xs = wte[token] + wpe[pos]: the first layer's input.
__device__ void embed(float* xs, const Model& m, int token, int pos) {
    for (int c = threadIdx.x; c < m.C; c += THREADS)
        xs[c] = weight_at(m.wte, m.wte_scale, token, m.C, c) + weight_at(m.wpe, m.wpe_scale, pos, m.C, c);
    __syncthreads();
}

// The residual rows this block owns: it starts the layer's x_mid and x_out there and adds x_mid into x_out (the
// atomics add the rest).
struct OwnRows {
    int row0, rows;
    float proj_bias, down_bias; // of row row0 + threadIdx.x, loaded a phase ahead
    int C;
    __device__ OwnRows(const Model& m) : row0(first_row(m.C, blockIdx.x)), rows(first_row(m.C, blockIdx.x + 1) - row0), proj_bias(0.f), down_bias(0.f), C(m.C) {}
    __device__ void load_biases(const LayerParams& p) {
        if (threadIdx.x < rows) {
            proj_bias = load_now(p.bias[PROJ] + row0 + threadIdx.x);
            down_bias = load_now(p.bias[MLP_PROJ] + row0 + threadIdx.x);
        }
    }
    // QKV phase, x_in in xs (before LayerNorm changes it).
    __device__ void start(const float* xs, const LayerIO& io) const {
        if (threadIdx.x < rows) {
            const int row = row0 + threadIdx.x;
            __stcg(io.x_mid + row, xs[row] + proj_bias);
            for (int k = 0; k < io.out_replicas; k++) __stcg(io.x_out + (size_t)k * C + row, 0.f);
        }
    }
    // MLP phase, x_mid in xs (before LayerNorm changes it).
    __device__ void add_residual(const float* xs, const LayerIO& io) const {
        if (threadIdx.x < rows) {
            const int row = row0 + threadIdx.x;
            asm volatile("red.relaxed.gpu.global.add.f32 [%0], %1;" :: "l"(io.x_out + row), "f"(xs[row] + down_bias) : "memory");
        }
    }
};

// The residual stream: layer l reads residual(2l), builds residual(2l + 1) and residual(2l + 2) (three buffers
// rotating), and the last layer's output is b.x, in one copy.
__device__ __forceinline__ LayerIO layer_io(const Buffers& b, int layer, int L, int C, float* hidden) {
    const auto buffer = [&](int k) { return k == 2 * L ? b.x : b.residual + (size_t)(k % 3) * REPLICAS * C; };
    const int k = 2 * layer;
    return {buffer(k), buffer(k + 1), buffer(k + 2), layer == 0 ? 1 : REPLICAS, layer == L - 1 ? 1 : REPLICAS, hidden};
}

// ---- attention -------------------------------------------------------------------------------------------

// Attention slices this step uses: one pass of the block per slice while the context is short, at most
// max_slices per head.
template <int D>
__device__ __forceinline__ int slices_for(int len, int max_slices) {
    constexpr int GROUPS = THREADS / (D / 8);
    return min(max_slices, (len + GROUPS - 1) / GROUPS);
}

// Head h over positions [t0, t1) of [0, pos], the s-th of `slices`. D / 8 lanes share a position (16 bytes
// each), so a pass covers THREADS / (D / 8) positions.
template <int D>
struct Slice {
    static constexpr int LANES = D / 8, GROUPS = THREADS / LANES;
    int h, s, t0, t1, g, j;
    const __nv_bfloat16 *keys, *values;
    uint4 k, v; // this thread's key and value of the first pass, for positions before pos (loaded before the barrier)

    __device__ Slice(int head, int slice, int slices, bool attends, int pos, int layer, const Model& m, const Buffers& b) {
        h = head;
        s = slice;
        const int len = pos + 1, per = (len + slices - 1) / slices;
        t0 = min(len, s * per);
        t1 = min(len, t0 + per);
        g = threadIdx.x / LANES;
        j = threadIdx.x % LANES;
        keys = b.cache + (((size_t)layer * 2 * m.H + h) * m.T) * D;
        values = keys + (size_t)m.H * m.T * D;
        const int t = t0 + g;
        const bool cached = attends && t < t1 && t != pos;
        k = cached ? load_now(reinterpret_cast<const uint4*>(keys + (size_t)t * D) + j) : make_uint4(0, 0, 0, 0);
        v = cached ? load_now(reinterpret_cast<const uint4*>(values + (size_t)t * D) + j) : make_uint4(0, 0, 0, 0);
    }
};

// o += p v over this lane's 8 dimensions of a value row.
__device__ __forceinline__ void add_weighted(float (&o)[8], float p, const uint4& v) {
    const __nv_bfloat162* h = reinterpret_cast<const __nv_bfloat162*>(&v);
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const float2 f = __bfloat1622float2(h[i]);
        o[2 * i] += p * f.x;
        o[2 * i + 1] += p * f.y;
    }
}

// Writes the slice's unnormalised weighted values, max and sum.
template <int D>
__device__ void attention_slice(const Slice<D>& a, int pos, const Buffers& b, float* score, float* scratch, float (*warp_out)[D]) {
    constexpr int LANES = Slice<D>::LANES, GROUPS = Slice<D>::GROUPS;
    __shared__ __align__(16) float q[D];
    const int h = a.h, s = a.s, t0 = a.t0, t1 = a.t1, g = a.g, j = a.j;
    const __nv_bfloat16 *keys = a.keys, *values = a.values;
    // The first pass's rows were loaded before the barrier, except the new position's (written in this step's
    // QKV phase): loaded here, with q, so that both take one trip to L2.
    uint4 k0 = a.k, v0 = a.v;
    if (t0 + g == pos && pos < t1) {
        k0 = __ldcg(reinterpret_cast<const uint4*>(keys + (size_t)pos * D) + j);
        v0 = __ldcg(reinterpret_cast<const uint4*>(values + (size_t)pos * D) + j);
    }
    for (int d = threadIdx.x; d < D; d += THREADS) q[d] = __ldcg(b.qkv + h * D + d) * rsqrtf((float)D);
    __syncthreads();

    const auto key_at = [&](int t, bool first) {
        return t >= t1 ? make_uint4(0, 0, 0, 0) : first ? k0 : __ldcg(reinterpret_cast<const uint4*>(keys + (size_t)t * D) + j);
    };
    const auto value_at = [&](int t, bool first) {
        return first ? v0 : __ldcg(reinterpret_cast<const uint4*>(values + (size_t)t * D) + j);
    };
    float mx = -INFINITY;
    for (int base = t0; base < t1; base += GROUPS) {
        const int t = base + g;
        const uint4 k = key_at(t, base == t0);
        const float a = score_of<LANES>(k, q + 8 * j);
        if (t < t1) { if (j == 0) score[t - t0] = a; mx = fmaxf(mx, a); }
    }
    mx = block_max(mx, scratch);
    float l = 0.f;
    for (int t = t0 + threadIdx.x; t < t1; t += THREADS) {
        const float p = __expf(score[t - t0] - mx);
        score[t - t0] = p;
        l += p;
    }
    l = block_sum(l, scratch); // its barriers also publish the probabilities

    float o[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
    for (int base = t0; base < t1; base += GROUPS) {
        const int t = base + g;
        if (t < t1) add_weighted(o, score[t - t0], value_at(t, base == t0));
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
#pragma unroll
        for (int off = LANES; off < 32; off <<= 1) o[i] += __shfl_xor_sync(0xffffffffu, o[i], off);
    }
    if ((threadIdx.x & 31) < LANES) {
#pragma unroll
        for (int i = 0; i < 8; i++) warp_out[threadIdx.x >> 5][8 * j + i] = o[i];
    }
    __syncthreads();
    float* slot = b.partial + ((size_t)h * b.max_slices + s) * (D + 2);
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float sum = 0.f;
#pragma unroll
        for (int w = 0; w < WARPS; w++) sum += warp_out[w][d];
        __stcg(slot + d, sum);
    }
    if (threadIdx.x == 0) { __stcg(slot + D, t1 > t0 ? mx : -INFINITY); __stcg(slot + D + 1, l); }
}

// att[0, D) = head h's slices merged: sum_i exp(m_i - max) values_i / sum_i exp(m_i - max) l_i. A thread takes
// one element and loads all it needs at once: one trip to L2.
template <int D>
__device__ __forceinline__ void merge_head(float* att, int h, int slices, const Buffers& b) {
    const float* head = b.partial + (size_t)h * b.max_slices * (D + 2);
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float mi[MAX_SLICES], li[MAX_SLICES], vi[MAX_SLICES];
#pragma unroll
        for (int s = 0; s < MAX_SLICES; s++) {
            const bool used = s < slices;
            const float* slot = head + s * (D + 2);
            mi[s] = used ? __ldcg(slot + D) : -INFINITY;
            li[s] = used ? __ldcg(slot + D + 1) : 0.f;
            vi[s] = used ? __ldcg(slot + d) : 0.f;
        }
        float mx = -INFINITY;
#pragma unroll
        for (int s = 0; s < MAX_SLICES; s++) mx = fmaxf(mx, mi[s]);
        float num = 0.f, den = 0.f;
#pragma unroll
        for (int s = 0; s < MAX_SLICES; s++) {
            const float w = rescale(mi[s], mx);
            num += w * vi[s];
            den += w * li[s];
        }
        att[d] = num / den;
    }
    __syncthreads();
}

// ---- the attention projection, by head ----------------------------------------------------------------------

// The blocks are split into one group per head; the group of head h takes its D columns of W_proj, each block
// rows [row0, row0 + rows) of them (whole groups of 4, for vector atomics), so it needs only that head's
// attention output.
struct HeadPiece {
    int h, row0, rows;
    __device__ HeadPiece(const Model& m) {
        const int G = gridDim.x, H = m.H, quads = m.C / 4;
        h = (int)((long long)blockIdx.x * H / G);
        const int g0 = (h * G + H - 1) / H, g1 = ((h + 1) * G + H - 1) / H, n = g1 - g0, i = blockIdx.x - g0;
        row0 = 4 * (i * quads / n);
        rows = 4 * ((i + 1) * quads / n) - row0;
    }
};

// The block's piece of W_proj into shared memory, [rows, D], as one cp.async group.
__device__ __forceinline__ void copy_piece(unsigned char* dst, const WT* W, const HeadPiece& g, int C, int D) {
    const int vecs = D / VEC_ELEMS;
    const unsigned int base = (unsigned int)__cvta_generic_to_shared(dst);
    for (int i = COPY_THREAD; i >= 0 && i < g.rows * vecs; i += COPY_THREADS) {
        const uint4* src = reinterpret_cast<const uint4*>(W + (size_t)(g.row0 + i / vecs) * C + g.h * D) + i % vecs;
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(base + 16 * i), "l"(src) : "memory");
    }
    asm volatile("cp.async.commit_group;" ::: "memory");
}

// The piece (in shared memory) times the head's attention output att (D floats): D / VEC_ELEMS lanes take a row.
// The rows' values (int8: times their scales, in shared memory) are gathered in `out` and added into x_mid four
// at a time.
__device__ __forceinline__ void add_projection(const unsigned char* piece, const HeadPiece& g, const float* att,
                                               const float* scale, float* out, const LayerIO& io, int D) {
    const int vecs = D / VEC_ELEMS, n = g.rows * vecs;
    const uint4* w = reinterpret_cast<const uint4*>(piece);
    for (int base = 0; base < n; base += THREADS) { // the same trips for every thread: the shuffles need the whole warp
        const int i = base + threadIdx.x, v = i % vecs;
        float acc = i < n ? dot_shared(w + i, att + v * VEC_ELEMS) : 0.f;
        for (int off = vecs / 2; off > 0; off >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, off);
        if (i < n && v == 0) {
            const int r = i / vecs;
#if defined(WEIGHTS_INT8)
            acc *= scale[r];
#endif
            out[r] = acc;
        }
    }
    __syncthreads();
    for (int r = 4 * threadIdx.x; r < g.rows; r += 4 * THREADS)
        RED_V4(io.x_mid + g.row0 + r, out[r], out[r + 1], out[r + 2], out[r + 3]);
}

// ---- the step ----------------------------------------------------------------------------------------------

template <int D>
__device__ void decode_layers(const Model& m, const Buffers& b, const int* state, int buffer_bytes) {
    extern __shared__ __align__(16) unsigned char smem[]; // three weight buffers, then the activation area
    __shared__ LayerParams table[MAX_LAYERS];
    __shared__ float scratch[64];
    __shared__ float partials[MAX_ROWS];
    __shared__ float hidden[MAX_ROWS];
    __shared__ float warp_out[WARPS][D];
    __shared__ __align__(16) float att[D];
    __shared__ float piece_scale[MAX_PIECE_ROWS]; // int8: the scales of the block's rows of W_proj
    __shared__ float piece_out[MAX_PIECE_ROWS];
    float* xs = reinterpret_cast<float*>(smem + (size_t)3 * buffer_bytes); // a phase's input (C floats) or a slice's scores
    const auto buffer = [&](int i) { return smem + (size_t)i * buffer_bytes; };

    // The layer table on chip: every phase reads its pointers.
    constexpr int WORDS = sizeof(LayerParams) / 8;
    for (int i = threadIdx.x; i < m.L * WORDS; i += THREADS)
        reinterpret_cast<unsigned long long*>(table)[i] = __ldg(reinterpret_cast<const unsigned long long*>(m.layers) + i);
    __syncthreads();

    // Weight copies (cp.async, one group each) start a phase or two before they are used: the projection piece
    // and MLP up once the QKV phase has its input (the small reads it waits for would queue behind them), the
    // down-projection after the attention slice, the next layer's QKV after the MLP's products (measured: issued
    // before them, it delayed them more than it gained; issued before the attention barrier, copies slowed that
    // barrier by 1.2 us). Layer l uses buffer l % 2 for QKV and then the down-projection, the other for the
    // projection piece and then the next layer's QKV, buffer 2 for MLP up. Weights do not depend on the previous
    // kernel: the first copy starts before waiting for it.
    const Split qkv_rows(QKV, m), fc_rows(FC, m); // the down-projection's rows are fc_rows'
    const HeadPiece piece(m);
    OwnRows own(m);
    copy_rows(buffer(0), table[0].weight[QKV], qkv_rows);
    RowConstants rows = row_constants(table[0], QKV, qkv_rows);
    NormConstants norm = norm_constants(table[0].ln1_w, table[0].ln1_b, m.C);
    own.load_biases(table[0]);

    wait_for_previous_kernel(); // the sampler of the previous step wrote the token and position
    const int token = state[0], pos = state[1], step = state[2];
    unsigned int* counter = b.counters + (step & 1) * (1 + m.H);
    const unsigned int* heads = counter + 1;
    if (blockIdx.x == 0) {
        unsigned int* next = b.counters + ((step & 1) ^ 1) * (1 + m.H);
        for (int i = threadIdx.x; i < 1 + m.H; i += THREADS) next[i] = 0;
    }
    unsigned int target = 0;
    const int slices = slices_for<D>(pos + 1, b.max_slices);
    const bool attends = blockIdx.x < m.H * slices;

    for (int layer = 0; layer < m.L; layer++) {
        const LayerParams& p = table[layer];
        const int a = layer & 1, other = a ^ 1;
        const LayerIO io = layer_io(b, layer, m.L, m.C, hidden);

        // LayerNorm 1 + QKV; the block's rows of x_mid and x_out start here.
        if (layer == 0) {
            embed(xs, m, token, pos);
        } else {
            stamp(b, layer, QKV_PHASE, ARRIVED, m.L);
            grid_sync(counter, target);
            stamp(b, layer, QKV_PHASE, PASSED, m.L);
            load_vector(xs, io.x_in, io.in_replicas, m.C);
        }
        own.start(xs, io); // layer_norm syncs before it writes xs
        layer_norm(xs, norm, m.C, m.eps, scratch);
        copy_piece(buffer(other), p.weight[PROJ], piece, m.C, D);
        copy_rows(buffer(2), p.weight[FC], fc_rows);
#if defined(WEIGHTS_INT8)
        for (int r = threadIdx.x; r < piece.rows; r += THREADS) piece_scale[r] = load_now(p.scale[PROJ] + piece.row0 + r);
#endif
        wait_for_copies<2>();
        stamp(b, layer, QKV_PHASE, INPUT, m.L);
        multiply(buffer(a), qkv_rows, QKV, rows, xs, partials, io, m, b, layer, pos, D);
        stamp(b, layer, QKV_PHASE, DONE, m.L);

        // Attention slices, then the projection of this block's head as soon as that head's slices are done.
        const Slice<D> slice(blockIdx.x / slices, blockIdx.x % slices, slices, attends, pos, layer, m, b); // cached rows before the barrier
        stamp(b, layer, ATTENTION_PHASE, ARRIVED, m.L);
        grid_sync(counter, target);
        stamp(b, layer, ATTENTION_PHASE, PASSED, m.L);
        if (attends) {
            attention_slice<D>(slice, pos, b, xs, scratch, warp_out);
            arrive(counter + 1 + slice.h);
        }
        rows = row_constants(p, FC, fc_rows);
        norm = norm_constants(p.ln2_w, p.ln2_b, m.C);
        copy_rows(buffer(a), p.weight[MLP_PROJ], fc_rows);
        wait_for_copies<2>(); // the projection piece
        wait_for(heads + piece.h, (layer + 1) * slices);
        merge_head<D>(att, piece.h, slices, b);
        stamp(b, layer, ATTENTION_PHASE, INPUT, m.L);
        add_projection(buffer(other), piece, att, piece_scale, piece_out, io, D);
        stamp(b, layer, ATTENTION_PHASE, DONE, m.L);

        // LayerNorm 2 + MLP up, and this block's share of the down-projection.
        stamp(b, layer, MLP_PHASE, ARRIVED, m.L);
        grid_sync(counter, target);
        stamp(b, layer, MLP_PHASE, PASSED, m.L);
        if (layer == m.L - 1) allow_next_kernel(); // the lm_head may start loading its weights
        load_vector(xs, io.x_mid, 1, m.C);
        own.add_residual(xs, io); // layer_norm syncs before it writes xs
        layer_norm(xs, norm, m.C, m.eps, scratch);
        wait_for_copies<0>();
        stamp(b, layer, MLP_PHASE, INPUT, m.L);
        multiply(buffer(2), fc_rows, FC, rows, xs, partials, io, m, b, layer, pos, D);
        __syncthreads(); // the hidden units are in shared memory
        add_down_projection(buffer(a), fc_rows.rows, p.scale[MLP_PROJ], io, m.C);
        if (layer + 1 < m.L) { // issued after the products, which they would delay
            rows = row_constants(table[layer + 1], QKV, qkv_rows);
            norm = norm_constants(table[layer + 1].ln1_w, table[layer + 1].ln1_b, m.C);
            own.load_biases(table[layer + 1]);
            copy_rows(buffer(other), table[layer + 1].weight[QKV], qkv_rows);
        }
        stamp(b, layer, MLP_PHASE, DONE, m.L);
    }
    asm volatile("cp.async.wait_all;" ::: "memory"); // no copy outlives the block
}

// One entry point per head size (LayerKernel picks by the model's).
#define LAYERS_ENTRY(D)                                                                                              \
    extern "C" __global__ void __launch_bounds__(THREADS, 1) decode_layers_##D(                                   \
        const __grid_constant__ Model m, const __grid_constant__ Buffers b, const int* state, int buffer_bytes) {  \
        decode_layers<D>(m, b, state, buffer_bytes);                                                                 \
    }

LAYERS_ENTRY(32)
LAYERS_ENTRY(64)
LAYERS_ENTRY(128)
