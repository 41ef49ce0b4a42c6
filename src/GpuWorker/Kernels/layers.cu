// Every transformer layer of one GPT-2 decode step in one persistent kernel: one block per SM, and instead
// of a launch between the steps of a layer, a grid-wide barrier (5 per layer, the first one dropped). Each
// phase's weights (and biases, LayerNorm parameters, cache rows of earlier positions) do not depend on the
// token, so every warp loads its share of the next phase into registers before the barrier that precedes it;
// after the barrier a block only reads the small activation vector from L2 and multiplies.
//
// Phases of layer l (each block takes rows [b N / G, (b + 1) N / G) of an N-row matrix):
//   QKV       x  -> LayerNorm 1 -> qkv = W_attn . + b; the new key and value also go into the cache
//   attention qkv, cache -> per (head, slice of positions) a partial softmax (max, sum, weighted values)
//   proj      merge the slices -> x += W_proj . + b
//   MLP up    x  -> LayerNorm 2 -> hidden = GELU(W_fc . + b)
//   MLP down  x += W_mlp_proj hidden + b
// The embedding (x = wte[token] + wpe[pos]) is the first phase's input, computed by every block (each
// block keeps and writes the rows of x it owns), so the step needs no kernel before this one.
//
// Launch: gridDim.x blocks, all resident at once (the host checks occupancy), THREADS threads, dynamic
// shared memory for the activations (LayerKernel.PlanFor). Reads the token, position and step from state
// (written by the previous step's sampler, so only after waiting for it).
#include "common.cuh"
#include "attention.cuh"

#define THREADS 512
#define WARPS (THREADS / 32)
#define MAX_ROWS 64       // rows of one matrix a block takes at most (their partial sums live in shared memory)
#define MAX_PER_THREAD 4  // LayerNorm keeps its C / THREADS gains and shifts in registers: C <= 2048
#define MAX_LAYERS 48     // the layer table lives in shared memory
#define MAX_SLICES 12     // attention slices per head (LayerKernel caps max_slices)

enum { QKV = 0, PROJ = 1, FC = 2, MLP_PROJ = 3, MATRICES = 4 };

// One layer's parameters, as the host lays them out in device memory (LayerKernel.LayerTable).
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
    float* x;        // [C] residual stream
    float* qkv;      // [3 C]
    float* hidden;   // [4 C]
    float* partial;  // [H, max_slices, D + 2] attention slices: weighted values, max, sum
    __nv_bfloat16* cache; // [L, 2, H, T, D]
    unsigned int* barriers; // [2] arrival counts, one per step parity
    unsigned long long* trace; // null, or [blocks, TRACE_EVENTS] %globaltimer stamps (LayerKernel.Profile)
    int max_slices;
};

// The trace: per layer and phase, when the block reached the barrier, passed it, had its input, was done.
#define PHASES 5
#define EVENTS 4
enum { ARRIVED = 0, PASSED = 1, INPUT = 2, DONE = 3 };
#define TRACE_EVENTS(L) ((L) * PHASES * EVENTS)
__device__ __forceinline__ void stamp(const Buffers& b, int layer, int phase, int event, int L) {
    if (b.trace == nullptr || threadIdx.x != 0) return;
    unsigned long long t;
    asm volatile("mov.u64 %0, %globaltimer;" : "=l"(t) :: "memory");
    b.trace[(size_t)blockIdx.x * TRACE_EVENTS(L) + (layer * PHASES + phase) * EVENTS + event] = t;
}

__device__ __forceinline__ int rows_of(int m, int C) { return m == QKV ? 3 * C : m == FC ? 4 * C : C; }
__device__ __forceinline__ int cols_of(int m, int C) { return m == MLP_PROJ ? 4 * C : C; }
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
        K = cols_of(matrix, m.C);
        vecs = K / VEC_ELEMS;
        segments = rows >= WARPS || rows == 0 ? 1 : WARPS / rows;
        per_segment = (vecs + segments - 1) / segments;
        units = rows * segments;
    }
};

// The block's rows of W into shared memory, each thread its own 16-byte pieces, as one cp.async group: the
// copy runs while the block goes through barriers and other phases (WeightBuffers).
__device__ __forceinline__ void copy_rows(unsigned char* dst, const WT* W, const Split& g) {
    const uint4* src = reinterpret_cast<const uint4*>(W + (size_t)g.row0 * g.K);
    const unsigned int base = (unsigned int)__cvta_generic_to_shared(dst);
    for (int i = threadIdx.x; i < g.rows * g.vecs; i += THREADS)
        asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"(base + 16 * i), "l"(src + i) : "memory");
    asm volatile("cp.async.commit_group;" ::: "memory");
}

// The weight phases of the step (4 a layer: QKV, proj, MLP up, MLP down) in `count` shared-memory buffers: the
// copy of phase q + count - 1 starts when phase q - 1 ends, so weights arrive count - 1 phases ahead.
struct WeightBuffers {
    unsigned char* base;
    int bytes, count, issued;

    __device__ unsigned char* buffer(int q) const { return base + (size_t)(q % count) * bytes; }

    // Starts the next copy (or an empty group past the last layer, so group counts stay uniform).
    __device__ void issue_next(const LayerParams* table, const Split* splits, int L) {
        const int q = issued++;
        if (q < 4 * L) copy_rows(buffer(q), table[q / 4].weight[q % 4], splits[q % 4]);
        else asm volatile("cp.async.commit_group;" ::: "memory");
    }

    // Waits until phase q's copy (every thread's part) is in shared memory.
    __device__ const unsigned char* wait_for(int q) const {
        // Groups are committed in phase order; those after q may still be in flight.
        if (count == 3) asm volatile("cp.async.wait_group 2;" ::: "memory");
        else asm volatile("cp.async.wait_group 1;" ::: "memory");
        __syncthreads();
        return buffer(q);
    }
};

// ---- grid-wide barrier -------------------------------------------------------------------------------------

// Every block adds one to the step's counter and waits until all have: `target` counts the barriers passed
// times the grid. The counter of the other step parity (the previous step's, finished before this kernel
// started) is reset by block 0 for the next step, so the counters need no kernel of their own. The release
// (after __syncthreads) publishes the whole block's writes.
__device__ __forceinline__ void grid_sync(unsigned int* counter, unsigned int& target) {
    __syncthreads();
    target += gridDim.x;
    if (threadIdx.x == 0) {
        asm volatile("red.release.gpu.global.add.u32 [%0], 1;" :: "l"(counter) : "memory");
        unsigned int arrived;
        do {
            asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(arrived) : "l"(counter) : "memory");
        } while (arrived < target);
    }
    __syncthreads();
}

// ---- a matrix-vector product ---------------------------------------------------------------------------

// Where a finished row's value goes (scaled and biased already; for the projections the residual added), by matrix.
__device__ __forceinline__ void finish_row(int matrix, int row, float v, const Model& m, const Buffers& b, int layer, int pos, int D) {
    switch (matrix) {
    case QKV:
        __stcg(b.qkv + row, v);
        if (row >= m.C) { // key or value: into the cache at this position, rounded as the cache holds it
            const int which = row / m.C - 1, c = row % m.C, h = c / D, d = c % D;
            b.cache[((((size_t)layer * 2 + which) * m.H + h) * m.T + pos) * D + d] = __float2bfloat16(v);
        }
        break;
    case FC: __stcg(b.hidden + row, gelu_tanh(v)); break;
    default: __stcg(b.x + row, v); break; // projections: v already holds the residual
    }
}

// A row's bias and (int8) scale, held by thread (row - the block's first row): weights, so they are loaded
// before the barrier that precedes the product.
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
// a unit at a time. The projections add into the block's own rows of the residual stream, kept in shared
// memory (own_x) since the block wrote them last.
__device__ void multiply(const unsigned char* rows, const Split& g, int matrix, RowConstants k, const float* xs,
                         float* partials, float* own_x, const Model& m, const Buffers& b, int layer, int pos, int D) {
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
        v = v * k.scale + k.bias;
        if (matrix == PROJ || matrix == MLP_PROJ) {
            float* own = own_x + threadIdx.x; // the projections' rows are the block's own rows of x
            v += *own;
            *own = v;
        }
        finish_row(matrix, row, v, m, b, layer, pos, D);
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

// xs = LayerNorm(xs) over C values (two passes: GPT-2's residual stream has large values).
__device__ void layer_norm(float* xs, const NormConstants& k, int C, float eps, float* scratch) {
    float sum = 0.f;
#pragma unroll
    for (int i = 0; i < MAX_PER_THREAD; i++) { const int c = threadIdx.x + i * THREADS; if (c < C) sum += xs[c]; }
    const float mean = block_sum(sum, scratch) / C;
    float var = 0.f;
#pragma unroll
    for (int i = 0; i < MAX_PER_THREAD; i++) { const int c = threadIdx.x + i * THREADS; if (c < C) { const float d = xs[c] - mean; var += d * d; } }
    const float rstd = rsqrtf(block_sum(var, scratch) / C + eps);
#pragma unroll
    for (int i = 0; i < MAX_PER_THREAD; i++) { const int c = threadIdx.x + i * THREADS; if (c < C) xs[c] = (xs[c] - mean) * rstd * k.gain[i] + k.shift[i]; }
    __syncthreads();
}

__device__ void load_vector(float* xs, const float* v, int n) {
    for (int i = threadIdx.x; i < n / 4; i += THREADS)
        reinterpret_cast<float4*>(xs)[i] = __ldcg(reinterpret_cast<const float4*>(v) + i);
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

// xs = wte[token] + wpe[pos]; this block also keeps (and writes) its own rows of x, the rows its projections update.
__device__ void embed(float* xs, float* own_x, const Model& m, const Buffers& b, int token, int pos) {
    const int own0 = first_row(m.C, blockIdx.x), own1 = first_row(m.C, blockIdx.x + 1);
    for (int c = threadIdx.x; c < m.C; c += THREADS) {
        const float v = weight_at(m.wte, m.wte_scale, token, m.C, c) + weight_at(m.wpe, m.wpe_scale, pos, m.C, c);
        xs[c] = v;
        if (c >= own0 && c < own1) { own_x[c - own0] = v; __stcg(b.x + c, v); }
    }
    __syncthreads();
}

// ---- attention -------------------------------------------------------------------------------------------

// Attention slices this step uses: one pass of the block per slice while the context is short, at most
// max_slices per head.
template <int D>
__device__ __forceinline__ int slices_for(int len, int max_slices) {
    constexpr int GROUPS = THREADS / (D / 8);
    return min(max_slices, (len + GROUPS - 1) / GROUPS);
}

// Block (h, s) of the attention phase: head h over positions [t0, t1) of [0, pos]. D / 8 lanes share a
// position (16 bytes each), so a pass covers THREADS / (D / 8) positions.
template <int D>
struct Slice {
    static constexpr int LANES = D / 8, GROUPS = THREADS / LANES;
    int h, s, t0, t1, g, j;
    const __nv_bfloat16 *keys, *values;
    uint4 k, v; // this thread's key and value of the first pass, for positions before pos (loaded before the barrier)

    __device__ Slice(int block, bool attends, int slices, int pos, int layer, const Model& m, const Buffers& b) {
        h = block / slices;
        s = block % slices;
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

// Writes the slice's unnormalised weighted values, max and sum.
template <int D>
__device__ void attention_slice(const Slice<D>& a, int pos, const Buffers& b, float* score, float* scratch, float (*warp_out)[D]) {
    constexpr int LANES = Slice<D>::LANES, GROUPS = Slice<D>::GROUPS;
    __shared__ __align__(16) float q[D];
    const int h = a.h, s = a.s, t0 = a.t0, t1 = a.t1, g = a.g, j = a.j;
    const __nv_bfloat16 *keys = a.keys, *values = a.values;
    for (int d = threadIdx.x; d < D; d += THREADS) q[d] = __ldcg(b.qkv + h * D + d) * rsqrtf((float)D);
    __syncthreads();

    // The first pass from the prefetched rows, except the new position's (written in this step's QKV phase).
    const auto key_at = [&](int t, bool first) {
        return t >= t1 ? make_uint4(0, 0, 0, 0) : first && t != pos ? a.k : __ldcg(reinterpret_cast<const uint4*>(keys + (size_t)t * D) + j);
    };
    const auto value_at = [&](int t, bool first) {
        return first && t != pos ? a.v : __ldcg(reinterpret_cast<const uint4*>(values + (size_t)t * D) + j);
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

// xs[0, C) = every head's slices merged: sum_i exp(m_i - max) values_i / sum_i exp(m_i - max) l_i. A thread
// takes two neighbouring elements of one head and loads all it needs at once: one trip to L2 (for C <= 1024).
template <int D>
__device__ __forceinline__ void merge_slices(float* xs, int slices, const Model& m, const Buffers& b) {
    for (int c = 2 * threadIdx.x; c < m.C; c += 2 * THREADS) {
        const float* head = b.partial + (size_t)(c / D) * b.max_slices * (D + 2);
        float mi[MAX_SLICES], li[MAX_SLICES];
        float2 vi[MAX_SLICES];
#pragma unroll
        for (int s = 0; s < MAX_SLICES; s++) {
            const bool used = s < slices;
            const float* slot = head + s * (D + 2);
            mi[s] = used ? __ldcg(slot + D) : -INFINITY;
            li[s] = used ? __ldcg(slot + D + 1) : 0.f;
            vi[s] = used ? __ldcg(reinterpret_cast<const float2*>(slot + c % D)) : make_float2(0.f, 0.f);
        }
        float mx = -INFINITY;
#pragma unroll
        for (int s = 0; s < MAX_SLICES; s++) mx = fmaxf(mx, mi[s]);
        float2 num = make_float2(0.f, 0.f);
        float den = 0.f;
#pragma unroll
        for (int s = 0; s < MAX_SLICES; s++) {
            const float w = mi[s] == -INFINITY ? 0.f : __expf(mi[s] - mx);
            num.x += w * vi[s].x;
            num.y += w * vi[s].y;
            den += w * li[s];
        }
        xs[c] = num.x / den;
        xs[c + 1] = num.y / den;
    }
    __syncthreads();
}

// ---- the step ----------------------------------------------------------------------------------------------

template <int D>
__device__ void decode_layers(const Model& m, const Buffers& b, const int* state, int buffer_bytes, int buffer_count) {
    extern __shared__ __align__(16) unsigned char smem[]; // weight buffers, then the activation area
    __shared__ LayerParams table[MAX_LAYERS];
    __shared__ float scratch[32];
    __shared__ float partials[MAX_ROWS];
    __shared__ float own_x[MAX_ROWS];
    __shared__ float warp_out[WARPS][D];
    float* xs = reinterpret_cast<float*>(smem + (size_t)buffer_count * buffer_bytes); // a phase's input (4 C floats) or a slice's scores

    // The layer table on chip: every phase reads its pointers.
    constexpr int WORDS = sizeof(LayerParams) / 8;
    for (int i = threadIdx.x; i < m.L * WORDS; i += THREADS)
        reinterpret_cast<unsigned long long*>(table)[i] = __ldg(reinterpret_cast<const unsigned long long*>(m.layers) + i);
    __syncthreads();

    const Split splits[MATRICES] = {Split(QKV, m), Split(PROJ, m), Split(FC, m), Split(MLP_PROJ, m)};
    WeightBuffers weights = {smem, buffer_bytes, buffer_count, 0};
    // Weights do not depend on the previous kernel: the first phases' copies start before waiting for it.
    // After that, each phase starts the copy of a later one only once its own input is staged: an SM's share of
    // memory bandwidth drains a copy in ~1.5 us, and the small reads a phase waits for (its input, biases)
    // would otherwise queue behind it. Those small reads are issued a phase early, before the copy.
    for (int i = 0; i < buffer_count - 1; i++) weights.issue_next(table, splits, m.L);
    RowConstants rows = row_constants(table[0], QKV, splits[QKV]);
    NormConstants norm = norm_constants(table[0].ln1_w, table[0].ln1_b, m.C);

    wait_for_previous_kernel(); // the sampler of the previous step wrote the token and position
    const int token = state[0], pos = state[1], step = state[2];
    unsigned int* counter = b.barriers + (step & 1);
    if (blockIdx.x == 0 && threadIdx.x == 0) b.barriers[(step & 1) ^ 1] = 0;
    unsigned int target = 0;
    const int slices = slices_for<D>(pos + 1, b.max_slices);
    const bool attends = blockIdx.x < m.H * slices;

    embed(xs, own_x, m, b, token, pos);
    for (int layer = 0; layer < m.L; layer++) {
        const LayerParams& p = table[layer];
        const int q = 4 * layer; // this layer's first weight phase
        if (layer > 0) {
            stamp(b, layer, 0, ARRIVED, m.L);
            grid_sync(counter, target);
            stamp(b, layer, 0, PASSED, m.L);
            load_vector(xs, b.x, m.C);
        }
        layer_norm(xs, norm, m.C, m.eps, scratch);
        stamp(b, layer, 0, INPUT, m.L);
        RowConstants next = row_constants(p, PROJ, splits[PROJ]);
        weights.issue_next(table, splits, m.L);
        multiply(weights.wait_for(q), splits[QKV], QKV, rows, xs, partials, own_x, m, b, layer, pos, D);
        rows = next;
        stamp(b, layer, 0, DONE, m.L);

        const Slice<D> slice(blockIdx.x, attends, slices, pos, layer, m, b); // cached rows before the barrier
        stamp(b, layer, 1, ARRIVED, m.L);
        grid_sync(counter, target);
        stamp(b, layer, 1, PASSED, m.L);
        stamp(b, layer, 1, INPUT, m.L);
        if (attends) attention_slice<D>(slice, pos, b, xs, scratch, warp_out);
        stamp(b, layer, 1, DONE, m.L);

        stamp(b, layer, 2, ARRIVED, m.L);
        grid_sync(counter, target);
        stamp(b, layer, 2, PASSED, m.L);
        merge_slices<D>(xs, slices, m, b);
        stamp(b, layer, 2, INPUT, m.L);
        next = row_constants(p, FC, splits[FC]);
        norm = norm_constants(p.ln2_w, p.ln2_b, m.C);
        weights.issue_next(table, splits, m.L);
        multiply(weights.wait_for(q + 1), splits[PROJ], PROJ, rows, xs, partials, own_x, m, b, layer, pos, D);
        rows = next;
        stamp(b, layer, 2, DONE, m.L);

        stamp(b, layer, 3, ARRIVED, m.L);
        grid_sync(counter, target);
        stamp(b, layer, 3, PASSED, m.L);
        load_vector(xs, b.x, m.C);
        layer_norm(xs, norm, m.C, m.eps, scratch);
        stamp(b, layer, 3, INPUT, m.L);
        next = row_constants(p, MLP_PROJ, splits[MLP_PROJ]);
        weights.issue_next(table, splits, m.L);
        multiply(weights.wait_for(q + 2), splits[FC], FC, rows, xs, partials, own_x, m, b, layer, pos, D);
        rows = next;
        stamp(b, layer, 3, DONE, m.L);

        stamp(b, layer, 4, ARRIVED, m.L);
        grid_sync(counter, target);
        stamp(b, layer, 4, PASSED, m.L);
        if (layer == m.L - 1) allow_next_kernel(); // the lm_head may start loading its weights
        load_vector(xs, b.hidden, 4 * m.C);
        stamp(b, layer, 4, INPUT, m.L);
        if (layer + 1 < m.L) {
            next = row_constants(table[layer + 1], QKV, splits[QKV]);
            norm = norm_constants(table[layer + 1].ln1_w, table[layer + 1].ln1_b, m.C);
        }
        weights.issue_next(table, splits, m.L);
        multiply(weights.wait_for(q + 3), splits[MLP_PROJ], MLP_PROJ, rows, xs, partials, own_x, m, b, layer, pos, D);
        rows = next;
        stamp(b, layer, 4, DONE, m.L);
    }
    asm volatile("cp.async.wait_all;" ::: "memory"); // no copy outlives the block
}

// One entry point per head size (LayerKernel picks by the model's).
#define LAYERS_ENTRY(D)                                                                                              \
    extern "C" __global__ void __launch_bounds__(THREADS, 1) decode_layers_##D(                                   \
        const __grid_constant__ Model m, const __grid_constant__ Buffers b, const int* state, int buffer_bytes,    \
        int buffer_count) {                                                                                          \
        decode_layers<D>(m, b, state, buffer_bytes, buffer_count);                                                   \
    }

LAYERS_ENTRY(32)
LAYERS_ENTRY(64)
LAYERS_ENTRY(128)
