// Every transformer layer of one GPT-2 decode step in one persistent kernel: one block per SM, and instead
// of a launch between the steps of a layer, two grid-wide barriers (the first layer's first one dropped) and,
// between them, waits for values published by the few blocks they come from. The weights do not depend on
// the token, so each block copies its rows of the coming phases' matrices into three shared-memory buffers
// (cp.async) a phase or two ahead, and loads biases, LayerNorm parameters and the cache rows of earlier
// positions before the barrier or wait that precedes their use; after it a block only reads a small vector
// from L2 and multiplies. BENCHMARKS.md has its per-phase profile.
//
// The blocks are split into one group per head (about G / H blocks each). Phases of layer l:
//   QKV       x_in -> LayerNorm 1 -> qkv = W_attn . + b, each group the 3 D rows of its head's query, key and
//             value, published (below); the new key and value also go into the cache
//   attention no barrier: per (head, slice of positions), as soon as the head's query, key and value are
//             published, a partial softmax (max, sum, weighted values), published; each block of the group
//             waits for its head's slices, merges them and adds W_proj[its rows, its head's columns] . into
//             the layer's projection sum with atomics
//   MLP       x_mid = x_in + b_proj + projection sum -> LayerNorm 2 -> hidden = GELU(W_fc . + b) for the
//             block's rows of [4C] (rows [b 4C / G, (b + 1) 4C / G)), whose share of the down-projection
//             (those rows of W_mlp_proj^T, [4C, C]) is added into x_out with atomics
// Each block keeps x_in + b_proj in shared memory from the QKV phase to the MLP's. The block owning a residual
// row zeroes it in x_out in the QKV phase, and in the MLP phase adds x_mid + b_mlp_proj into x_out and zeroes
// it in the next layer's projection sum; the atomics add the rest. Every block adds its down-projection share
// to all C outputs: into one of REPLICAS copies of x_out (by block), which the next layer sums as it loads
// them, so fewer atomics queue on each address. The embedding (wte[token] + wpe[pos]) is the first layer's
// x_in, computed by every block, so no kernel runs before this one.
//
// Launch: gridDim.x blocks, all resident at once (the host checks occupancy), THREADS threads, dynamic
// shared memory for WEIGHT_BUFFERS weight buffers of buffer_bytes and the activations (LayerKernel.PlanFor). Reads
// the token, position and step from state (written by the previous step's sampler, so only after waiting for it).
#include "common.cuh"
#include "attention.cuh"

#define THREADS 512
#define WARPS (THREADS / 32)
#define MAX_ROWS 64       // rows of one matrix a block takes at most (their partial sums live in shared memory)
#define MAX_LAYERS 48     // the layer table lives in shared memory
#define MAX_SLICES 12     // attention slices per head (LayerKernel caps max_slices)
#define MAX_PIECE_ROWS 256 // rows of the attention projection a block takes for its head (LayerKernel checks)
// Copies of a layer's output the down-projection's atomics are spread over: 132 blocks add into every output,
// and the atomics queue in L2 (measured, us a step bf16: 2 copies 213.7, 4 212.9, 8 207.8, 16 210.6, where
// summing the copies starts to cost more than the queues; on the thirteenth session's kernel, bf16 / int8: 4
// 173.35 / 163.42, 6 173.73 / 165.21, 8 173.35 / 164.30: as fast in bf16, faster in int8, with half the loads).
#define REPLICAS 4
// Copies of each grid barrier's counter (common.cuh's arrive): 132 blocks poll it.
#define COUNTER_COPIES 2
// Where the next layer's QKV copy is issued in the MLP phase: bf16, once the phase's input loads are issued past its
// barrier, since at the barrier's arrival ~4 MB of copies across the grid queue ahead of its counter and polls (release
// 0.90 us against the QKV barrier's 0.64; step 171.0 -> 168.4 us, decode +0.8%); int8 (half the bytes) at the arrival,
// where it was faster (step 158.6 -> 162.4 us, decode -2.2% past the barrier; BENCHMARKS.md, twenty-third session).
// Where a block with an attention slice issues its down-projection's copy: bf16 after its MLP barrier arrival, since
// such a block is among the last to arrive and the copy would queue ahead of it (decode +0.4..1.3%, twenty-first
// session); int8 after the slice like every other block (the late copy measured -0.9% in int8 and +2.0% in bf16, three
// rounds each; BENCHMARKS.md, twenty-fourth session).
// Where MLP up's copy is issued: int8 right after the QKV products, off the QKV phase's input (step int8 154.9 -> 152.7
// us, decode +1.3%); bf16 in that input as before, since twice the bytes in flight there slowed the attention's waits
// for published values (its input 2.50 -> 3.55 us, decode -4.3%; BENCHMARKS.md, twenty-eighth session).
// Where three weight buffers do not fit shared memory (gpt2-large in bf16: 100 KB each), TWO_BUFFERS (LayerKernel.PlanFor
// sets it) keeps two: the first for QKV and then MLP up, the second for the projection piece and then the
// down-projection. Each copy then waits for its buffer's last reader: MLP up's after the QKV products, the
// down-projection's after the MLP barrier's arrival, the next layer's QKV after the MLP up products. The
// down-projection's copy is split across that barrier (DOWN_EIGHTHS_AT_ARRIVAL): all of its ~100 KB a block in flight
// across it slowed its wait and release 1.8 -> 6.9 us a layer; all of it past the barrier left the MLP products waiting
// for it; three eighths at the arrival was fastest (gpt2-large decode, tok/s, each comparison in one call: all at the
// arrival 1,143 -> all past 1,175; all past 1,172 -> a quarter 1,243, half 1,242; a quarter 1,247 -> an eighth (step
// +1.5%), three eighths 1,265; BENCHMARKS.md, thirty-fourth and thirty-fifth sessions).
enum { AT_ARRIVAL, PAST_BARRIER, AFTER_MLP_UP }; // where the next layer's QKV copy is issued in the MLP phase
#define DOWN_EIGHTHS_AT_ARRIVAL 3 // with TWO_BUFFERS: the share of the down-projection's rows copied at the arrival
#if defined(TWO_BUFFERS)
#define WEIGHT_BUFFERS 2
#define NEXT_QKV_COPY AFTER_MLP_UP
#define SLICE_COPY_AFTER_ARRIVAL true
#define MLP_UP_COPY_AFTER_PRODUCTS true
#elif defined(WEIGHTS_INT8)
#define WEIGHT_BUFFERS 3
#define NEXT_QKV_COPY AT_ARRIVAL
#define SLICE_COPY_AFTER_ARRIVAL false
#define MLP_UP_COPY_AFTER_PRODUCTS true
#else
#define WEIGHT_BUFFERS 3
#define NEXT_QKV_COPY PAST_BARRIER
#define SLICE_COPY_AFTER_ARRIVAL true
#define MLP_UP_COPY_AFTER_PRODUCTS false
#endif

enum { QKV = 0, PROJ = 1, FC = 2, MLP_PROJ = 3, MATRICES = 4 };
enum { QKV_PHASE = 0, ATTENTION_PHASE = 1, MLP_PHASE = 2 };

// One layer's parameters, as the host lays them out in device memory (LayerKernel.Table); the MLP's
// down-projection weight is stored transposed, [4C, C], so a block's slice of it is contiguous. Each LayerNorm is
// folded into the product after it (LayerKernel.FoldNorm): that product's bias includes W shift, and its gain_sum
// row r is sum_i W[r, i] gain[i] in the weight's own units, so the product of W with gain * x gives W LayerNorm(x)
// from x's mean and deviation alone: rstd (W (gain * x) - mean gain_sum) scale + bias.
struct LayerParams {
    const WT* weight[MATRICES];
    const float* scale[MATRICES]; // int8: one per output row; otherwise unused
    const float* bias[MATRICES];
    const float* gain_sum[MATRICES]; // QKV and FC; otherwise unused
    const float *ln1_w, *ln2_w;
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
    float* residual; // [2, REPLICAS, C] the buffers of the residual stream the layers alternate between
    float* projection; // [3, C] the layers' attention projections, summed by atomics: layer l of step s uses
                       // projection[(s L + l) % 3]
    unsigned long long* qkv;     // [3 C] published (below)
    unsigned long long* partial; // [H, max_slices, D + 2] published attention slices: weighted values, max, sum
    __nv_bfloat16* cache; // [L, 2, H, T, D]
    unsigned int* counters; // [2, COUNTER_COPIES, COUNTER_STRIDE] per step parity: grid barrier arrivals
    unsigned long long* trace; // null, or [blocks, TRACE_EVENTS] %globaltimer stamps (LayerKernel.Profile)
    int max_slices;
};

// The trace: per layer and phase, when the block reached the barrier, passed it, had its input, was done (the
// attention phase has no barrier: its first two stamps are taken together; LayerProfile.Barriers).
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

// Where part i of n things split into `parts` nearly equal runs starts.
__device__ __forceinline__ int split_point(int n, int i, int parts) { return (int)((long long)n * i / parts); }

// The block's head group: head h has blocks [ceil(h G / H), ceil((h + 1) G / H)): G / H of them, rounded down or up.
struct HeadGroup {
    int h, size, index;
    __device__ HeadGroup(int H) {
        const int G = gridDim.x;
        h = (int)((long long)blockIdx.x * H / G);
        const int first = (h * G + H - 1) / H;
        size = ((h + 1) * G + H - 1) / H - first;
        index = blockIdx.x - first;
    }
};

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

// A normalised input vector in shared memory is kept in VEC_ELEMS / 4 planes of C / PLANES floats: element
// VEC_ELEMS v + 4 p + e at plane p, position 4 v + e. A lane taking weight vector v then reads its activations
// as one 16-byte load a plane, neighbouring lanes' loads adjacent: with the natural layout they were 32 or 64
// bytes apart, and every load cost two or four shared-memory wavefronts.
#define PLANES (VEC_ELEMS / 4)
__device__ __forceinline__ int plane_position(int c, int C) {
    return (c % VEC_ELEMS / 4) * (C / PLANES) + 4 * (c / VEC_ELEMS) + c % 4;
}

// dot_vec over weight vector v (in shared memory) and its activations from the planes at xs.
__device__ __forceinline__ float dot_planes(const uint4* w, const float* xs, int v, int C) {
    uint4 xv[PLANES];
#pragma unroll
    for (int p = 0; p < PLANES; p++) xv[p] = load_shared(xs + p * (C / PLANES) + 4 * v);
    return dot_vec(load_shared(w), reinterpret_cast<const float*>(xv));
}

// dot_vec over a weight vector and its activations, both in shared memory, each loaded 16 bytes at a time.
__device__ __forceinline__ float dot_shared(const uint4* w, const float* x) {
    uint4 xv[VEC_ELEMS / 4];
#pragma unroll
    for (int i = 0; i < VEC_ELEMS / 4; i++) xv[i] = load_shared(x + 4 * i);
    return dot_vec(load_shared(w), reinterpret_cast<const float*>(xv));
}

// ---- how a block's rows of a matrix are split over its warps --------------------------------------------

// A block takes `rows` rows of an N x C matrix (every matrix split by rows is, the down-projection stored
// transposed): of MLP up rows [row0, row0 + rows) of its share of all 4C; of W_attn its share of its head's 3 D
// rows, its query, key and value (the head's row r is W_attn's row (r / D) C + h D + r % D). `lanes` lanes of a
// warp take a unit: a row, or a segment of one when there are fewer rows than warps. Where there are more rows
// than warps, a warp takes two (or four) at once, half (a quarter) of its lanes each, rather than some warps a
// second row while the others wait: the products are bound by each unit's shuffle reduction, not its loads.
struct Split {
    int row0, rows, K, vecs, segments, per_segment, units, lanes;
    int head_row, shift, jump; // W_attn: the head's first row, log2 D, C - D; otherwise 0
    __device__ Split(int matrix, const Model& m, const HeadGroup& group, int D) {
        K = m.C;
        head_row = matrix == QKV ? group.h * D : 0;
        shift = __ffs(D) - 1;
        jump = matrix == QKV ? m.C - D : 0;
        const int n = matrix == QKV ? 3 * D : 4 * m.C;
        const int part = matrix == QKV ? group.index : blockIdx.x, parts = matrix == QKV ? group.size : gridDim.x;
        row0 = split_point(n, part, parts);
        rows = split_point(n, part + 1, parts) - row0;
        vecs = K / VEC_ELEMS;
        lanes = rows <= WARPS ? 32 : rows <= 2 * WARPS ? 16 : 8; // rows <= MAX_ROWS = 4 WARPS
        segments = rows >= WARPS || rows == 0 ? 1 : WARPS / rows;
        per_segment = (vecs + segments - 1) / segments;
        units = rows * segments;
    }
    // The block's row this thread finishes (scales, biases and sends on), or -1. A row that is one unit is
    // finished by the unit's first lane straight from its shuffle sum, with no barrier; a row in segments by
    // thread i once the segments' sums have met in shared memory. Every unit is one warp's in a single trip:
    // the lanes per unit above keep units <= WARPS * 32 / lanes.
    __device__ __forceinline__ int finished_row() const {
        if (segments > 1) return (int)threadIdx.x < rows ? (int)threadIdx.x : -1;
        const int lane = threadIdx.x & 31;
        const int unit = (int)(threadIdx.x >> 5) * (32 / lanes) + lane / lanes;
        return lane % lanes == 0 && unit < units ? unit : -1;
    }
    // The matrix row of the block's i-th row.
    __device__ __forceinline__ int row(int i) const {
        const int r = row0 + i;
        return r + head_row + (r >> shift) * jump;
    }
};

// Weight copies are issued by every warp but the first: thread 0 signals the barriers, and its release waits
// for its own outstanding copies (measured: 7 us a step).
#define COPY_THREAD ((int)threadIdx.x - 32)
#define COPY_THREADS (THREADS - 32)

// `pieces` 16-byte pieces into shared memory at dst, piece i from source(i), each copy thread its own pieces, as
// one cp.async group: the copy runs while the block goes through barriers and other phases.
template <typename Source>
__device__ __forceinline__ void copy_pieces(unsigned char* dst, int pieces, Source source) {
    for (int i = COPY_THREAD; i >= 0 && i < pieces; i += COPY_THREADS) copy16(dst + 16 * i, source(i));
    commit_copies();
}

// The block's rows [row_first, row_last) of W into shared memory (every row by default). Piece i is vector i % vecs
// of row i / vecs; a thread's next piece is COPY_THREADS on, so its (row, vector) advance by a fixed step with a carry
// instead of a division a piece (a runtime divisor: measured, its address arithmetic was a tenth of the kernel's issue
// slots). The first warp issues none: its COPY_THREAD is negative, and row_first's offset is not added to it (as a
// product rather than a select, so that the builds copying from row 0 alone keep their code).
__device__ __forceinline__ void copy_rows(unsigned char* dst, const WT* W, const Split& g, int row_first = 0, int row_last = -1) {
    const int pieces = (row_last < 0 ? g.rows : row_last) * g.vecs, step_rows = COPY_THREADS / g.vecs, step_vecs = COPY_THREADS % g.vecs;
    int i = row_first * g.vecs * (COPY_THREAD >= 0) + COPY_THREAD, r = i / g.vecs, v = i % g.vecs;
    for (; i >= 0 && i < pieces; i += COPY_THREADS) {
        copy16(dst + 16 * i, reinterpret_cast<const uint4*>(W + (size_t)g.row(r) * g.K) + v);
        r += step_rows;
        v += step_vecs;
        if (v >= g.vecs) { v -= g.vecs; r++; }
    }
    commit_copies();
}

// Waits until this thread's copies are done but the `pending` most recent, then until every thread's are.
template <int PENDING>
__device__ __forceinline__ void wait_for_copies() {
    await_copies<PENDING>();
    __syncthreads();
}

// ---- values published with their step and layer -------------------------------------------------------------

// A value and its tag (step L + layer + 1) in one 8-byte store, which a reader sees whole: it polls until the tag
// is the one it waits for, so the producer needs no fence or counter and the consumer no barrier (as in NCCL's
// LL protocol). Tags do not repeat within a generation, and LayerKernel.Reset zeroes them before one.
__device__ __forceinline__ void publish(unsigned long long* p, float v, unsigned int tag) {
    const unsigned long long x = ((unsigned long long)tag << 32) | __float_as_uint(v);
    asm volatile("st.relaxed.gpu.global.b64 [%0], %1;" :: "l"(p), "l"(x) : "memory");
}
__device__ __forceinline__ unsigned long long load_published(const unsigned long long* p) {
    unsigned long long x;
    asm volatile("ld.relaxed.gpu.global.b64 %0, [%1];" : "=l"(x) : "l"(p) : "memory");
    return x;
}
__device__ __forceinline__ bool tagged(unsigned long long x, unsigned int tag) { return (unsigned int)(x >> 32) == tag; }
__device__ __forceinline__ float value_of(unsigned long long x) { return __uint_as_float((unsigned int)x); }
__device__ __forceinline__ float await(const unsigned long long* p, unsigned int tag) {
    unsigned long long x;
    // Measured: a 32 ns sleep between polls ~0.5 us a step faster than polling flat out; 64 ns, once the barrier's
    // counter had two copies, 0.9 us faster again in bf16 (16 ns slower); 96 and 128 within 0.3 us of 64, 96 the least.
    for (x = load_published(p); !tagged(x, tag); x = load_published(p)) __nanosleep(96);
    return value_of(x);
}

// ---- a matrix-vector product ---------------------------------------------------------------------------

// Where the layer's values go: its residual input and output, its attention projection's sum (and the next
// layer's, which it zeroes), and in shared memory x_in + b_proj and the block's hidden units.
struct LayerIO {
    float* x_in;
    float* x_out;
    int in_replicas, out_replicas; // copies of x_in to sum, copies of x_out to spread the atomics over
    float* projection;
    float* next_projection;
    float* kept;
    float* hidden;
};

// The layer being computed, the position of the step's token, and the tag the layer's published values carry.
struct At { int layer, pos; unsigned int tag; };

// Where a finished row's value goes (scaled and biased already): QKV published in qkv and into the cache, FC into
// hidden.
// Row i of the block's is matrix row `row`.
__device__ __forceinline__ void finish_row(int matrix, int i, int row, float v, const LayerIO& io, const Model& m,
                                           const Buffers& b, const At& at, int D) {
    if (matrix == FC) { io.hidden[i] = gelu_tanh(v); return; }
    publish(b.qkv + row, v, at.tag);
    if (row >= m.C) { // key or value: into the cache at this position, rounded as the cache holds it
        const int which = row / m.C - 1, c = row % m.C, h = c / D, d = c % D;
        b.cache[((((size_t)at.layer * 2 + which) * m.H + h) * m.T + at.pos) * D + d] = __float2bfloat16(v);
    }
}

// A row's bias, (int8) scale and gain sum, held by the thread that finishes it (Split::finished_row): weights, so
// they are loaded a phase ahead.
struct RowConstants { float bias, scale, gain_sum; };

__device__ __forceinline__ RowConstants row_constants(const LayerParams& p, int matrix, const Split& g) {
    RowConstants k = {0.f, 1.f, 0.f};
    const int i = g.finished_row();
    if (i >= 0) {
        const int row = g.row(i);
        k.bias = load_now(p.bias[matrix] + row);
        k.gain_sum = load_now(p.gain_sum[matrix] + row);
#if defined(WEIGHTS_INT8)
        k.scale = load_now(p.scale[matrix] + row);
#endif
    }
    return k;
}

// The block's rows of `matrix` (in shared memory at `rows`) times xs (K floats in shared memory, in planes: a
// LayerNorm's input times its gain, whose mean and 1 / deviation are `stats`): each group of g.lanes lanes takes a
// unit. Rows in segments need a barrier before they are finished; whole rows do not,
// so then the caller orders any later write to `rows` or xs after every warp's reads.
__device__ void multiply(const unsigned char* rows, const Split& g, int matrix, RowConstants k, const float* xs,
                         float2 stats, float* partials, const LayerIO& io, const Model& m, const Buffers& b, const At& at, int D) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const int unit = warp * (32 / g.lanes) + lane / g.lanes, member = lane % g.lanes; // one trip (Split)
    float acc = 0.f;
    if (unit < g.units) {
        const int v0 = (unit % g.segments) * g.per_segment, v1 = min(g.vecs, v0 + g.per_segment);
        const uint4* w = reinterpret_cast<const uint4*>(rows) + (size_t)(unit / g.segments) * g.vecs;
#pragma unroll 4
        for (int v = v0 + member; v < v1; v += g.lanes) acc += dot_planes(w + v, xs, v, g.K);
    }
    acc = warp_sum(acc, g.lanes); // every lane of a warp takes part: the shuffles need the whole warp
    const int i = g.finished_row();
    if (g.segments > 1) {
        if (member == 0 && unit < g.units) partials[unit] = acc;
        __syncthreads();
        if (i >= 0) {
            acc = 0.f;
            for (int s = 0; s < g.segments; s++) acc += partials[i * g.segments + s];
        }
    }
    if (i >= 0) finish_row(matrix, i, g.row(i), (acc - stats.x * k.gain_sum) * stats.y * k.scale + k.bias, io, m, b, at, D);
}

// The block's share of the MLP down-projection: its hidden units (io.hidden, `rows` of them) times the same rows
// of W_mlp_proj^T (in shared memory at `wt`, [rows, C]), added into the layer's output. A thread takes four
// neighbouring outputs (its weight reads consecutive across the warp) over half the rows; the second half's sums
// meet the first's in `spare` (shared memory), which adds them with one vector atomic (measured: each half adding
// its own atomics instead, int8 step +1.4 us, bf16 +0.2). int8: `scale` holds the four outputs' scales
// (down_scales, loaded a phase ahead).
// This thread's share of it: quad o / 4 of the C / 4 quads of outputs, over half `half` of the rows (of `halves`: two
// where the block has the threads for both).
struct DownShare {
    int halves, half, o;
    __device__ DownShare(int C) {
        const int quads = C / 4;
        halves = THREADS >= 2 * quads ? 2 : 1;
        half = threadIdx.x / quads;
        o = 4 * (threadIdx.x % quads);
    }
};

__device__ __forceinline__ void add_down_projection(const unsigned char* wt, int rows, float4 scale, const LayerIO& io, int C, float* spare) {
    const WT* w = reinterpret_cast<const WT*>(wt);
    const DownShare share(C);
    const int halves = share.halves, half = share.half, o = share.o;
    float a[4] = {0.f, 0.f, 0.f, 0.f};
    for (int j = half * rows / halves; half < halves && j < (half + 1) * rows / halves; j++) {
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
    if (halves == 2) {
        if (half == 1) reinterpret_cast<float4*>(spare)[o / 4] = make_float4(a[0], a[1], a[2], a[3]);
        __syncthreads();
        if (half == 0) {
            const float4 b = reinterpret_cast<const float4*>(spare)[o / 4];
            a[0] += b.x; a[1] += b.y; a[2] += b.z; a[3] += b.w;
        }
    }
    if (half != 0) return;
#if defined(WEIGHTS_INT8)
    a[0] *= scale.x; a[1] *= scale.y; a[2] *= scale.z; a[3] *= scale.w;
#endif
    add_rows<4>(io.x_out + (size_t)(blockIdx.x % io.out_replicas) * C + o, a);
}

// ---- a layer's input vectors ------------------------------------------------------------------------------

// A C-vector's elements are held four a thread, [4 t, 4 t + 4) by thread t < C / 4 (C <= 4 THREADS): the residual
// copies load that way, 16 bytes each, and the LayerNorm reduces the same registers, so the input reaches it without
// a round trip through shared memory and its barrier.
__device__ __forceinline__ bool holds_quad(int C) { return 4 * (int)threadIdx.x < C; }
__device__ __forceinline__ float4 zero4() { return make_float4(0.f, 0.f, 0.f, 0.f); }
__device__ __forceinline__ float4 add4(float4 a, float4 b) { return make_float4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w); }
__device__ __forceinline__ float4 load_now4(const float* p) {
    float4 v;
    asm volatile("ld.global.nc.v4.f32 {%0, %1, %2, %3}, [%4];" : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w) : "l"(p) : "memory");
    return v;
}

// int8: the scales of this thread's four outputs of the down-projection (add_down_projection); otherwise unused.
__device__ __forceinline__ float4 down_scales(const LayerParams& p, int C) {
#if defined(WEIGHTS_INT8)
    const DownShare share(C);
    if (share.half < share.halves) return load_now4(p.scale[MLP_PROJ] + share.o);
#endif
    return make_float4(1.f, 1.f, 1.f, 1.f);
}

// LayerNorm's gain for this thread's four elements (its shift is in the next product's bias), and a bias added to
// its input where that is kept (LayerNorm 1: the attention projection's): loaded before the barrier.
struct NormConstants { float4 gain, keep_bias; };

__device__ __forceinline__ NormConstants norm_constants(const float* gain, int C, const float* keep_bias = nullptr) {
    NormConstants k = {zero4(), zero4()};
    if (holds_quad(C)) {
        const int c = 4 * threadIdx.x;
        k.gain = load_now4(gain + c);
        if (keep_bias != nullptr) k.keep_bias = load_now4(keep_bias + c);
    }
    return k;
}

// A LayerNorm folded into the product after it (LayerParams): xs = gain * x over the C values the threads hold (x:
// this thread's four), written in planes (plane_position), and kept = x + k.keep_bias unless kept is null; returns
// x's mean and 1 / deviation from one reduction of (sum, sum of squares) (norm_stats). xs's and scratch's earlier
// readers are past a barrier before this is called. Before the reduction's barrier each thread waits for its weight
// copies but the PENDING most recent, so that one barrier orders the statistics, xs and the copies before the product.
template <int PENDING>
__device__ float2 layer_norm(float4 x, float* xs, const NormConstants& k, int C, float eps, float* scratch, float* kept = nullptr) {
    float2 sums = make_float2(x.x + x.y + x.z + x.w, x.x * x.x + x.y * x.y + x.z * x.z + x.w * x.w);
    if (holds_quad(C)) { // four consecutive elements are four consecutive positions of one plane
        if (kept != nullptr) reinterpret_cast<float4*>(kept)[threadIdx.x] = add4(x, k.keep_bias);
        const float4 y = make_float4(x.x * k.gain.x, x.y * k.gain.y, x.z * k.gain.z, x.w * k.gain.w);
        *reinterpret_cast<float4*>(xs + plane_position(4 * threadIdx.x, C)) = y;
    }
    await_copies<PENDING>();
    return norm_stats(block_sum2(sums, scratch, WARPS), C, eps);
}

// This thread's four elements of the sum of `replicas` copies of v (C floats each), plus its four of `plus` (in
// shared memory, written by this thread) unless it is null; every load issued before the first add.
__device__ __forceinline__ float4 load_quad(const float* v, int replicas, int C, const float* plus = nullptr) {
    if (!holds_quad(C)) return zero4();
    float4 r[REPLICAS];
#pragma unroll
    for (int k = 0; k < REPLICAS; k++)
        r[k] = k < replicas ? __ldcg(reinterpret_cast<const float4*>(v + (size_t)k * C) + threadIdx.x) : zero4();
    if (plus != nullptr) r[0] = add4(r[0], reinterpret_cast<const float4*>(plus)[threadIdx.x]);
#pragma unroll
    for (int k = 1; k < REPLICAS; k++) r[0] = add4(r[0], r[k]);
    return r[0];
}

// This thread's four elements of wte[token] + wpe[pos]: the first layer's input.
__device__ __forceinline__ float4 embed_quad(const Model& m, int token, int pos) {
    if (!holds_quad(m.C)) return zero4();
    float e[4];
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int c = 4 * threadIdx.x + i;
        e[i] = weight_at(m.wte, m.wte_scale, token, m.C, c) + weight_at(m.wpe, m.wpe_scale, pos, m.C, c);
    }
    return make_float4(e[0], e[1], e[2], e[3]);
}

// The residual rows this block owns: it zeroes them in the layer's output and in the next layer's projection
// sum, and adds x_mid into x_out (the atomics add the rest). x_mid is held four elements a thread, so a row's
// addition is done by the thread that holds it.
struct OwnRows {
    int row0, rows;
    float4 down_bias; // of this thread's four elements where the block owns them (else 0), loaded a phase ahead
    int C;
    __device__ OwnRows(const Model& m) : row0(split_point(m.C, blockIdx.x, gridDim.x)), rows(split_point(m.C, blockIdx.x + 1, gridDim.x) - row0), down_bias(zero4()), C(m.C) {}
    __device__ __forceinline__ bool owns(int c) const { return c >= row0 && c < row0 + rows; }
    __device__ void load_bias(const LayerParams& p) {
        float* b = reinterpret_cast<float*>(&down_bias);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int c = 4 * threadIdx.x + i;
            if (holds_quad(C) && owns(c)) b[i] = load_now(p.bias[MLP_PROJ] + c);
        }
    }
    // QKV phase.
    __device__ void start(const LayerIO& io) const {
        if (threadIdx.x < rows) {
            const int row = row0 + threadIdx.x;
            for (int k = 0; k < io.out_replicas; k++) __stcg(io.x_out + (size_t)k * C + row, 0.f);
        }
    }
    // MLP phase: x_mid, this thread's four elements.
    __device__ void add_residual(float4 x_mid, const LayerIO& io) const {
        const float* x = reinterpret_cast<const float*>(&x_mid);
        const float* b = reinterpret_cast<const float*>(&down_bias);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int c = 4 * threadIdx.x + i;
            if (!holds_quad(C) || !owns(c)) continue;
            const float sum[1] = {x[i] + b[i]};
            add_rows<1>(io.x_out + c, sum);
            __stcg(io.next_projection + c, 0.f);
        }
    }
};

// The residual stream: layer l reads residual(l) and writes residual(l + 1) (two buffers alternating); the last
// layer's output is b.x, in one copy. Its projection is summed in the buffer after the previous layer's (the
// previous step's last layer's for layer 0), and the one after it is zeroed for the next: three rotating, so
// the zeroing comes a barrier after the last reads and before the next atomics.
// `n` counts layers over the generation's steps (step L + layer).
__device__ __forceinline__ LayerIO layer_io(const Buffers& b, int layer, unsigned int n, int L, int C, float* kept, float* hidden) {
    const auto buffer = [&](int k) { return k == L ? b.x : b.residual + (size_t)(k % 2) * REPLICAS * C; };
    const auto projection = [&](unsigned int k) { return b.projection + (size_t)(k % 3) * C; };
    return {buffer(layer), buffer(layer + 1), layer == 0 ? 1 : REPLICAS, layer == L - 1 ? 1 : REPLICAS,
            projection(n), projection(n + 1), kept, hidden};
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
    uint4 k, v; // this thread's key and value of the first pass, for positions before pos (loaded before the wait)

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

// Max over the block with one barrier: every earlier reader of scratch[0, WARPS) must be past a barrier since.
__device__ __forceinline__ float block_max_once(float v, float* scratch) {
    v = warp_max(v);
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = v;
    __syncthreads();
    return warp_max((threadIdx.x & 31) < WARPS ? scratch[threadIdx.x & 31] : -INFINITY);
}

// Writes the slice's unnormalised weighted values, max and sum: three block barriers (the head's query, the max,
// the warps' sums). scratch's earlier readers (the LayerNorm's reduction) are past its first barrier.
template <int D>
__device__ void attention_slice(const Slice<D>& a, const At& at, int C, const Buffers& b, float* score, float* scratch,
                                float (*warp_out)[D]) {
    constexpr int LANES = Slice<D>::LANES, GROUPS = Slice<D>::GROUPS;
    __shared__ __align__(16) float q[D];
    __shared__ __align__(16) __nv_bfloat16 fresh[2][D]; // the new position's key and value, as the cache holds them
    const int h = a.h, s = a.s, t0 = a.t0, t1 = a.t1, g = a.g, j = a.j, pos = at.pos;
    const __nv_bfloat16 *keys = a.keys, *values = a.values;
    // The head's query, key and value as the QKV phase publishes them: the only wait between the two phases.
    for (int i = threadIdx.x; i < 3 * D; i += THREADS) {
        const int which = i / D, d = i % D;
        const float v = await(b.qkv + which * C + h * D + d, at.tag);
        if (which == 0) q[d] = v * rsqrtf((float)D);
        else fresh[which - 1][d] = __float2bfloat16(v);
    }
    __syncthreads();
    // The first pass's rows were loaded before the wait. The new position's come from `fresh` in any pass: its
    // cache rows are written by other blocks with nothing ordering them before this read.
    const auto key_at = [&](int t, bool first) {
        return t >= t1 ? make_uint4(0, 0, 0, 0) : t == pos ? load_shared(fresh[0] + 8 * j) : first ? a.k
             : __ldcg(reinterpret_cast<const uint4*>(keys + (size_t)t * D) + j);
    };
    const auto value_at = [&](int t, bool first) {
        return t == pos ? load_shared(fresh[1] + 8 * j) : first ? a.v : __ldcg(reinterpret_cast<const uint4*>(values + (size_t)t * D) + j);
    };
    float mx = -INFINITY;
    for (int base = t0; base < t1; base += GROUPS) {
        const int t = base + g;
        const uint4 k = key_at(t, base == t0);
        const float a = score_of<LANES>(k, q + 8 * j);
        if (t < t1) { if (j == 0) score[t - t0] = a; mx = fmaxf(mx, a); }
    }
    mx = block_max_once(mx, scratch); // its barrier also orders each group's scores before the group reads them
    // Each group weights its own positions' values and sums their probabilities; the groups of a warp add theirs
    // through shuffles and the warps through shared memory, with the values: no barrier of a block sum.
    float o[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}, l = 0.f;
    for (int base = t0; base < t1; base += GROUPS) {
        const int t = base + g;
        if (t < t1) {
            const float p = __expf(score[t - t0] - mx);
            l += p;
            add_weighted(o, p, value_at(t, base == t0));
        }
    }
#pragma unroll
    for (int off = LANES; off < 32; off <<= 1) {
        l += __shfl_xor_sync(0xffffffffu, l, off);
#pragma unroll
        for (int i = 0; i < 8; i++) o[i] += __shfl_xor_sync(0xffffffffu, o[i], off);
    }
    float* warp_l = scratch + 32; // block_max_once reads scratch[0, WARPS)
    if ((threadIdx.x & 31) < LANES) {
#pragma unroll
        for (int i = 0; i < 8; i++) warp_out[threadIdx.x >> 5][8 * j + i] = o[i];
        if (j == 0) warp_l[threadIdx.x >> 5] = l;
    }
    __syncthreads();
    unsigned long long* slot = b.partial + ((size_t)h * b.max_slices + s) * (D + 2);
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float sum = 0.f;
#pragma unroll
        for (int w = 0; w < WARPS; w++) sum += warp_out[w][d];
        publish(slot + d, sum, at.tag);
    }
    if (threadIdx.x == 0) {
        float sum = 0.f;
#pragma unroll
        for (int w = 0; w < WARPS; w++) sum += warp_l[w];
        publish(slot + D, t1 > t0 ? mx : -INFINITY, at.tag);
        publish(slot + D + 1, sum, at.tag);
    }
}

// att[0, D) = head h's slices merged: sum_i exp(m_i - max) values_i / sum_i exp(m_i - max) l_i. First a thread
// per published value of the slices waits for it and puts it in `got` ([slices, D + 2] floats of shared memory),
// then a thread per element merges.
template <int D>
__device__ __forceinline__ void merge_head(float* att, float* got, int h, int slices, const Buffers& b, unsigned int tag) {
    const unsigned long long* head = b.partial + (size_t)h * b.max_slices * (D + 2);
    for (int i = threadIdx.x; i < slices * (D + 2); i += THREADS) got[i] = await(head + i, tag);
    __syncthreads();
    for (int d = threadIdx.x; d < D; d += THREADS) {
        float mx = -INFINITY;
        for (int s = 0; s < slices; s++) mx = fmaxf(mx, got[s * (D + 2) + D]);
        float num = 0.f, den = 0.f;
        for (int s = 0; s < slices; s++) {
            const float* slot = got + s * (D + 2);
            const float w = rescale(slot[D], mx);
            num += w * slot[d];
            den += w * slot[D + 1];
        }
        att[d] = num / den;
    }
    __syncthreads();
}

// ---- the attention projection, by head ----------------------------------------------------------------------

// The blocks are split into one group per head; the group of head h takes its D columns of W_proj, each block
// rows [row0, row0 + rows) of them (whole groups of 4, for vector atomics), so it needs only that head's
// attention output.
// The blocks computing attention slices (the group's first `slices`) finish later than the others, and the MLP
// phase's barrier waits for the last: so with int8 weights, where the others are at least half the group and their
// pieces fit a buffer and MAX_PIECE_ROWS, they take the whole projection and the slices' blocks none (rows 0).
// Measured: int8 step 160.4 -> 157.5 us, decode +2%; with bf16 weights (pieces twice the bytes) 170.6 -> 175.8 us
// (BENCHMARKS.md, "The prefill's biases read before the wait ...").
struct HeadPiece {
    int h, row0, rows;
    __device__ HeadPiece(const Model& m, const HeadGroup& group, int slices, int D, int buffer_bytes) {
        const int quads = m.C / 4, others = group.size - slices;
        const int most = 4 * ((quads + others - 1) / max(others, 1));
        const bool others_only = sizeof(WT) == 1 && 2 * others >= group.size && most <= MAX_PIECE_ROWS && most * D * (int)sizeof(WT) <= buffer_bytes;
        const int first = others_only ? slices : 0, parts = group.size - first;
        h = group.h;
        if (group.index < first) { row0 = 0; rows = 0; return; }
        row0 = 4 * split_point(quads, group.index - first, parts);
        rows = 4 * split_point(quads, group.index - first + 1, parts) - row0;
    }
};

// The block's piece of W_proj into shared memory, [rows, D].
__device__ __forceinline__ void copy_piece(unsigned char* dst, const WT* W, const HeadPiece& g, int C, int D) {
    const int vecs = D / VEC_ELEMS;
    copy_pieces(dst, g.rows * vecs, [&](int i) {
        return reinterpret_cast<const uint4*>(W + (size_t)(g.row0 + i / vecs) * C + g.h * D) + i % vecs;
    });
}

// The piece (in shared memory) times the head's attention output att (D floats): D / VEC_ELEMS lanes take a row,
// so a warp takes 32 VEC_ELEMS / D neighbouring rows. Each row's first lane gathers its next rows' values (up to
// four) through shuffles and adds them into the layer's projection sum with one vector atomic: no barrier. The
// rows come in whole groups of 4 (HeadPiece), so a gathering lane's rows all exist when its first does.
template <int D>
__device__ __forceinline__ void add_projection(const unsigned char* piece, const HeadPiece& g, const float* att,
                                               const float* scale, const LayerIO& io) {
    constexpr int VECS = D / VEC_ELEMS, PER_WARP = 32 / VECS, GATHER = PER_WARP < 4 ? PER_WARP : 4;
    const int n = g.rows * VECS, lane = threadIdx.x & 31;
    const uint4* w = reinterpret_cast<const uint4*>(piece);
    for (int base = 0; base < n; base += THREADS) { // the same trips for every thread: the shuffles need the whole warp
        const int i = base + threadIdx.x, v = i % VECS, r = i / VECS;
        float acc = i < n ? dot_shared(w + i, att + v * VEC_ELEMS) : 0.f;
        acc = warp_sum(acc, VECS);
#if defined(WEIGHTS_INT8)
        if (i < n) acc *= scale[r];
#endif
        float rows[GATHER];
#pragma unroll
        for (int k = 0; k < GATHER; k++) rows[k] = __shfl_down_sync(0xffffffffu, acc, k * VECS);
        if (i < n && lane % (GATHER * VECS) == 0) add_rows<GATHER>(io.projection + g.row0 + r, rows);
    }
}

// ---- the step ----------------------------------------------------------------------------------------------

template <int D>
__device__ void decode_layers(const Model& m, const Buffers& b, const int* state, int buffer_bytes) {
    extern __shared__ __align__(16) unsigned char smem[]; // the weight buffers, then the activation area
    __shared__ LayerParams table[MAX_LAYERS];
    __shared__ float scratch[64];
    __shared__ float partials[MAX_ROWS];
    __shared__ float hidden[MAX_ROWS];
    __shared__ float warp_out[WARPS][D];
    __shared__ __align__(16) float att[D];
    __shared__ float piece_scale[MAX_PIECE_ROWS]; // int8: the scales of the block's rows of W_proj
    float* kept = reinterpret_cast<float*>(smem + (size_t)WEIGHT_BUFFERS * buffer_bytes); // x_in + b_proj, C floats
    float* xs = kept + m.C; // a phase's input (C floats) or a slice's scores
    const auto buffer = [&](int i) { return smem + (size_t)i * buffer_bytes; };

    // The layer table on chip: every phase reads its pointers.
    constexpr int WORDS = sizeof(LayerParams) / 8;
    for (int i = threadIdx.x; i < m.L * WORDS; i += THREADS)
        reinterpret_cast<unsigned long long*>(table)[i] = __ldg(reinterpret_cast<const unsigned long long*>(m.layers) + i);
    __syncthreads();

    // Weight copies (cp.async, one group each) start a phase or two before they are used: the projection piece
    // and MLP up once the QKV phase has its input (the small reads it waits for would queue behind them; int8's MLP
    // up after the QKV products: MLP_UP_COPY_AFTER_PRODUCTS), the down-projection after the attention slice (below),
    // the next layer's QKV once the projection piece is used up (the MLP phase's barrier arrival, or past the barrier:
    // NEXT_QKV_COPY), so it has the whole MLP phase to land (measured: bf16 -3% a step against after the MLP's
    // products, while each 16-byte copy still cost a division). Layer l uses buffer l % 2 for QKV and then the
    // down-projection, the other for the projection piece and then the next layer's QKV, buffer 2 for MLP up (with
    // TWO_BUFFERS, above, buffer 0 for QKV and MLP up, buffer 1 for the piece and the down-projection). Weights do not
    // depend on the previous kernel: the first copy starts before waiting for it.
    const HeadGroup group(m.H);
    const Split qkv_rows(QKV, m, group, D), fc_rows(FC, m, group, D); // the down-projection's rows are fc_rows'
    OwnRows own(m);
    copy_rows(buffer(0), table[0].weight[QKV], qkv_rows);
    RowConstants rows = row_constants(table[0], QKV, qkv_rows);
    NormConstants norm = norm_constants(table[0].ln1_w, m.C, table[0].bias[PROJ]);
    own.load_bias(table[0]);

    wait_for_previous_kernel(); // the sampler of the previous step wrote the token and position
    const int token = state[0], pos = state[1], step = state[2], parity = step & 1;
    unsigned int* counter = b.counters + parity * COUNTER_COPIES * COUNTER_STRIDE;
    // The counter of the other step parity (the previous step's, finished before this kernel started) is reset for
    // the next step, so the barrier counters need no kernel of their own.
    if (blockIdx.x == 0 && threadIdx.x < COUNTER_COPIES) b.counters[((parity ^ 1) * COUNTER_COPIES + threadIdx.x) * COUNTER_STRIDE] = 0;
    unsigned int target = 0;
    const int slices = slices_for<D>(pos + 1, b.max_slices);
    const bool attends = group.index < slices; // slice `index` of the group's head
    const HeadPiece piece(m, group, slices, D, buffer_bytes);
    constexpr bool two_buffers = WEIGHT_BUFFERS == 2;

    for (int layer = 0; layer < m.L; layer++) {
        const LayerParams& p = table[layer];
#if defined(TWO_BUFFERS)
        const int qkv_buffer = 0, piece_buffer = 1, up_buffer = 0, down_buffer = 1, next_qkv_buffer = 0;
#else
        const int qkv_buffer = layer & 1, piece_buffer = qkv_buffer ^ 1, up_buffer = 2, down_buffer = qkv_buffer, next_qkv_buffer = piece_buffer;
#endif
        const unsigned int n = (unsigned int)step * m.L + layer; // layers so far in this generation
        const LayerIO io = layer_io(b, layer, n, m.L, m.C, kept, hidden);
        const At at = {layer, pos, n + 1};
        const auto copy_next_qkv = [&] { // in one of three places (NEXT_QKV_COPY)
            if (layer + 1 < m.L) copy_rows(buffer(next_qkv_buffer), table[layer + 1].weight[QKV], qkv_rows);
            else commit_copies(); // an empty group in its place: the MLP phase's wait is the same in every layer
        };

        // LayerNorm 1 + QKV of the group's head; x_in + b_proj kept for the MLP phase.
        float4 x;
        if (layer == 0) {
            x = embed_quad(m, token, pos);
        } else {
            stamp(b, layer, QKV_PHASE, ARRIVED, m.L);
            grid_sync(counter, target, COUNTER_COPIES);
            stamp(b, layer, QKV_PHASE, PASSED, m.L);
            x = load_quad(io.x_in, io.in_replicas, m.C);
        }
        own.start(io);
        // The input's loads are done (x is in registers), so these copies do not delay them; the LayerNorm's closing
        // barrier is also the wait for this layer's QKV rows.
        copy_piece(buffer(piece_buffer), p.weight[PROJ], piece, m.C, D);
        if (!MLP_UP_COPY_AFTER_PRODUCTS) copy_rows(buffer(up_buffer), p.weight[FC], fc_rows);
        const float2 stats1 = layer_norm<MLP_UP_COPY_AFTER_PRODUCTS ? 1 : 2>(x, xs, norm, m.C, m.eps, scratch, io.kept);
#if defined(WEIGHTS_INT8)
        for (int r = threadIdx.x; r < piece.rows; r += THREADS) piece_scale[r] = load_now(p.scale[PROJ] + piece.row0 + r);
#endif
        stamp(b, layer, QKV_PHASE, INPUT, m.L);
        multiply(buffer(qkv_buffer), qkv_rows, QKV, rows, xs, stats1, partials, io, m, b, at, D);
        // Every warp is done with the QKV rows before the down-projection's copy (a slice's barriers do it), or with two
        // buffers, before MLP up's into the same buffer.
        if (!attends || two_buffers) __syncthreads();
        stamp(b, layer, QKV_PHASE, DONE, m.L);
        if (MLP_UP_COPY_AFTER_PRODUCTS) copy_rows(buffer(up_buffer), p.weight[FC], fc_rows);

        // Attention slices as soon as the head's query, key and value are published, then the projection of
        // the head as soon as its slices are: no barrier, so the phase's waits are in its input.
        const Slice<D> slice(group.h, group.index, slices, attends, pos, layer, m, b); // cached rows before the wait
        stamp(b, layer, ATTENTION_PHASE, ARRIVED, m.L);
        stamp(b, layer, ATTENTION_PHASE, PASSED, m.L);
        if (attends) attention_slice<D>(slice, at, m.C, b, xs, scratch, warp_out);
        rows = row_constants(p, FC, fc_rows);
        const float4 down_scale = down_scales(p, m.C);
        norm = norm_constants(p.ln2_w, m.C);
        // The down-projection's copy: here, at the MLP barrier's arrival (a slice block's, SLICE_COPY_AFTER_ARRIVAL) or,
        // with two buffers, split across that barrier (its buffer holds the projection piece until the arrival).
        const bool copy_at_arrival = attends && SLICE_COPY_AFTER_ARRIVAL && !two_buffers;
        const bool copy_now = !copy_at_arrival && !two_buffers;
        if (copy_now) copy_rows(buffer(down_buffer), p.weight[MLP_PROJ], fc_rows);
        if (copy_now) wait_for_copies<2>(); // the projection piece (MLP up's and the down-projection's are more recent)
        else wait_for_copies<1>();          // the projection piece (MLP up's copy is the most recent group)
        if (piece.rows > 0) merge_head<D>(att, &warp_out[0][0], piece.h, slices, b, at.tag); // warp_out holds MAX_SLICES (D + 2) floats
        stamp(b, layer, ATTENTION_PHASE, INPUT, m.L);
        add_projection<D>(buffer(piece_buffer), piece, att, piece_scale, io);
        stamp(b, layer, ATTENTION_PHASE, DONE, m.L);

        // LayerNorm 2 + MLP up, and this block's share of the down-projection.
        stamp(b, layer, MLP_PHASE, ARRIVED, m.L);
        arrive(counter, COUNTER_COPIES); // its barrier: every warp is done with the projection piece
        const int down_split = two_buffers ? fc_rows.rows * DOWN_EIGHTHS_AT_ARRIVAL / 8 : 0;
        if (copy_at_arrival) copy_rows(buffer(down_buffer), p.weight[MLP_PROJ], fc_rows);
        if (two_buffers) copy_rows(buffer(down_buffer), p.weight[MLP_PROJ], fc_rows, 0, down_split);
        if (NEXT_QKV_COPY == AT_ARRIVAL) copy_next_qkv();
        target += gridDim.x;
        wait_for(counter, target, COUNTER_COPIES);
        stamp(b, layer, MLP_PHASE, PASSED, m.L);
        if (layer == m.L - 1) allow_next_kernel(); // the lm_head may start loading its weights
        const float4 x_mid = load_quad(io.projection, 1, m.C, io.kept);
        if (two_buffers) copy_rows(buffer(down_buffer), p.weight[MLP_PROJ], fc_rows, down_split);
        if (NEXT_QKV_COPY == PAST_BARRIER) copy_next_qkv();
        own.add_residual(x_mid, io);
        // LayerNorm 2 also waits for every copy but the newest: the next layer's QKV, or with two buffers the
        // down-projection's two groups (MLP up's rows are what it needs).
        const float2 stats2 = layer_norm<two_buffers ? 2 : 1>(x_mid, xs, norm, m.C, m.eps, scratch);
        stamp(b, layer, MLP_PHASE, INPUT, m.L);
        multiply(buffer(up_buffer), fc_rows, FC, rows, xs, stats2, partials, io, m, b, at, D);
        if (two_buffers) await_copies<0>(); // the down-projection's two groups, the only copies pending
        __syncthreads(); // the hidden units are in shared memory
        if (NEXT_QKV_COPY == AFTER_MLP_UP) copy_next_qkv(); // MLP up's rows are used up
        add_down_projection(buffer(down_buffer), fc_rows.rows, down_scale, io, m.C, xs); // xs is used up
        if (layer + 1 < m.L) { // the next layer's constants: loaded after the products, which they would delay
            rows = row_constants(table[layer + 1], QKV, qkv_rows);
            norm = norm_constants(table[layer + 1].ln1_w, m.C, table[layer + 1].bias[PROJ]);
            own.load_bias(table[layer + 1]);
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
