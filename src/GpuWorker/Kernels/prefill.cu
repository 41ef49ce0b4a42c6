// The prompt's prefill: all T positions of a layer at once, the linear layers as matrix products on tensor
// cores (mma.sync m16n8k16: bf16 activations times bf16 weights, or int8 weights turned into bf16 as their
// fragments are loaded, accumulated in fp32), the residual stream in fp32 as in decode. Per layer five launches:
//   ln_matmul          y = LayerNorm(x) W^T + b, bf16 [T, N]: QKV, and the MLP's first half with GELU; from 128
//                      positions (PrefillKernels.SeparateLayerNormFrom) a launch of prefill_layernorm before each
//                      normalises the rows once, and ln_matmul copies them
//   prefill_attention  causal attention over the T positions; also stores their keys and values in the cache
//   matmul_residual    x += a W^T (+ b): both projections, the reduction split over K between blocks
// before them prefill_embed (x = wte[token] + wpe[position]) and after them prefill_last (the decoder's start: the
// prompt's last row for its lm_head, its step state and seed). The prompt and seed are read from mapped host memory.
// The last layer's keys and values are all the cache needs of it, and the prompt's last row of x all the lm_head
// reads; so there (the launches' only_last: the prompt's length, known on the device only, as a graph serves every
// length up to T, and copied by prefill_embed from the host's Start into device memory) QKV still runs over all T
// positions, attention stores every position's keys and values but computes outputs only in the tile of the prompt's
// last position, and the three products after it compute that position's row alone. prefill_all (the same in one launch) computes every row of every layer.
// Compiled with -DMODEL_C=n_embd and -DLN_STAGES; heads are 64 wide; N is a multiple of TILE_N, K of TILE_K; T (the
// positions computed: the prompt, or the prompt padded to a captured graph's length) at most the cache's.
#include "common.cuh"

#if !defined(WEIGHTS_BF16) && !defined(WEIGHTS_INT8)
#error "prefill.cu multiplies bf16 or int8 weights"
#endif
#ifndef MODEL_C
#error "compile with -DMODEL_C=n_embd"
#endif

typedef __nv_bfloat16 bf16;

// The generation's start as the host writes it into mapped memory before launching a prefill.
struct Start {
    int length;       // the prompt's tokens
    unsigned int seed; // the sampler's (Sampler.SeedValue)
    int tokens[1];    // [positions]: the prompt, padded with token 0
};

#define HEAD_DIM 64
#define THREADS 256 // 8 warps; in the products each takes 32 x 16 of the block's tile (2 x 4 warps)
#define WARPS (THREADS / 32)
#define TILE_M 64   // positions of a block's output tile
#define TILE_N 64   // outputs of a block's output tile
#define TILE_K 64   // the reduction's chunk staged in shared memory at a time
#define STAGES 6    // matmul_residual's chunks in flight: a chunk's copy takes about a memory latency, its products far less
#ifndef LN_STAGES   // ln_matmul's weight chunks in flight: as many as shared memory holds beside the normalised rows
#error "compile with -DLN_STAGES (PrefillKernels.LnStages)"
#endif
// Shared-memory rows are padded by 16 bytes: consecutive rows then start 4 banks apart, so a fragment's loads
// (8 rows x 4 lanes, 4 bytes each) hit 32 different banks.
#if defined(WEIGHTS_BF16)
#define W_ROW_BYTES (TILE_K * 2)
#else
#define W_ROW_BYTES TILE_K
#endif
#define W_STRIDE (W_ROW_BYTES + 16)
#define W_STAGE_BYTES (TILE_N * W_STRIDE)
#define A_STRIDE (TILE_K + 8)                     // bf16 between rows of a staged activation chunk
#define A_STAGE_BYTES (TILE_M * A_STRIDE * 2)
#define LN_STRIDE (MODEL_C + 8)                   // bf16 between rows of ln_matmul's normalised input

// The prompt's last position, all the last layer computes past its keys and values (see above), from the length
// prefill_embed copied: a kernel reads it before waiting for the previous one (prefill_embed ran long before), from
// device memory. Read by every block from the host's Start instead, it made each of the three one-row products
// take 4..22 us instead of 2.3..5 (measured: BENCHMARKS.md, "The prefill's last layer for its last position ...").
__device__ __forceinline__ int last_position(const int* length) { return *length - 1; }

// The rows [m0, end) of a product's output a block computes: its tile of [0, T), or where only_last is set, the
// prompt's last position alone.
struct RowTile { int m0, end; };
__device__ __forceinline__ RowTile row_tile(const int* only_last, int T) {
    if (only_last == nullptr) return {(int)blockIdx.y * TILE_M, T};
    const int last = last_position(only_last);
    return {last, last + 1};
}

// ---- copies into shared memory (common.cuh's cp.async: they run while the block computes) --------------------

// Rows [n0, n0 + TILE_N) of W [N, K], columns [k0, k0 + TILE_K), into a weight stage.
template <int BY = THREADS> // the block's threads
__device__ __forceinline__ void stage_weights(unsigned char* dst, const WT* W, int K, int n0, int k0) {
    constexpr int per_row = W_ROW_BYTES / 16;
    for (int i = threadIdx.x; i < TILE_N * per_row; i += BY) {
        const int r = i / per_row, v = i % per_row;
        copy16(dst + r * W_STRIDE + 16 * v, reinterpret_cast<const unsigned char*>(W + (size_t)(n0 + r) * K + k0) + 16 * v);
    }
}

// Rows [m0, m0 + TILE_M) of a [T, K] (zeros past T), columns [k0, k0 + TILE_K), into an activation stage whose rows
// are `stride` bf16 apart.
template <int BY = THREADS> // the block's threads
__device__ __forceinline__ void stage_activations(bf16* dst, const bf16* a, int T, int K, int m0, int k0, int stride = A_STRIDE) {
    for (int i = threadIdx.x; i < TILE_M * (TILE_K / 8); i += BY) {
        const int r = i / (TILE_K / 8), v = i % (TILE_K / 8);
        const bool valid = m0 + r < T;
        copy16_or_zeros(dst + r * stride + 8 * v, a + (size_t)(valid ? m0 + r : 0) * K + k0 + 8 * v, valid);
    }
}

// ---- the products -------------------------------------------------------------------------------------------

#if defined(WEIGHTS_INT8)
// Weights (k, k + 1) of row n of an int8 weight stage, as two bf16 (exact: the scale comes after the products);
// through common.cuh's conversion without a conversion instruction, which runs at a quarter of the FMA rate.
__device__ __forceinline__ unsigned int weight_pair(const unsigned char* stage, int n, int k) {
    const float4 f = int8x4_to_float4(*reinterpret_cast<const unsigned short*>(stage + n * W_STRIDE + k));
    const __nv_bfloat162 h = __floats2bfloat162_rn(f.x, f.y);
    return *reinterpret_cast<const unsigned int*>(&h);
}
#endif

__device__ __forceinline__ void mma(float (&d)[4], const unsigned int (&a)[4], const unsigned int (&b)[2]) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

// Where a warp's 32 x 16 outputs sit in the block's tile.
__device__ __forceinline__ int warp_row(int warp) { return (warp >> 2) * 32; }
__device__ __forceinline__ int warp_col(int warp) { return (warp & 3) * 16; }

// Four 8 x 8 bf16 matrices from shared memory, lane l giving the address of row l % 8 of matrix l / 8; register i
// gets matrix i in the mma fragment layout (this lane: row lane / 4, columns 2 (lane % 4) and the next).
__device__ __forceinline__ void load_matrices(unsigned int (&r)[4], const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"((unsigned int)__cvta_generic_to_shared(p))
                 : "memory");
}

// The same transposed: register i gets the transpose of matrix i (this lane: rows 2 (lane % 4) and the next of
// column lane / 4), which is an mma B fragment of a row-major [k][n] tile.
__device__ __forceinline__ void load_matrices_transposed(unsigned int (&r)[4], const void* p) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"((unsigned int)__cvta_generic_to_shared(p))
                 : "memory");
}

// acc (the warp's 32 x 16 outputs: 2 x 2 tiles of 16 x 8) += a[32 rows][TILE_K] . w[16 rows][TILE_K]^T, where a is
// bf16 with rows a_stride apart and w a weight stage's first row of the warp. Fragment layouts as in the PTX ISA
// for m16n8k16: lane = 4 g + t holds A (g, 2t..), (g + 8, 2t..), (g, 2t + 8..), (g + 8, 2t + 8..); B (2t.., g),
// (2t + 8.., g); C (g, 2t..), (g + 8, 2t..). A (and bf16 B) fragments come with ldmatrix: one instruction for
// what takes four 4-byte loads.
__device__ __forceinline__ void multiply_chunk(float (&acc)[2][2][4], const bf16* a, int a_stride, const unsigned char* w) {
    const int lane = threadIdx.x & 31, row = lane & 7, matrix = lane >> 3;
#pragma unroll
    for (int kk = 0; kk < TILE_K; kk += 16) {
        unsigned int af[2][4], bw[2][2];
#pragma unroll
        for (int i = 0; i < 2; i++) // matrices: rows 0-7 and 8-15 of columns kk.., then of kk + 8..
            load_matrices(af[i], a + (i * 16 + (matrix & 1) * 8 + row) * a_stride + kk + (matrix >> 1) * 8);
#if defined(WEIGHTS_BF16)
        unsigned int b[4]; // matrices: tile 0 columns kk.., kk + 8.., then tile 1's
        load_matrices(b, w + ((matrix >> 1) * 8 + row) * W_STRIDE + 2 * (kk + (matrix & 1) * 8));
        bw[0][0] = b[0], bw[0][1] = b[1], bw[1][0] = b[2], bw[1][1] = b[3];
#else
        const int g = lane >> 2, t = lane & 3;
#pragma unroll
        for (int j = 0; j < 2; j++) {
            bw[j][0] = weight_pair(w, j * 8 + g, kk + 2 * t);
            bw[j][1] = weight_pair(w, j * 8 + g, kk + 2 * t + 8);
        }
#endif
#pragma unroll
        for (int i = 0; i < 2; i++)
#pragma unroll
            for (int j = 0; j < 2; j++) mma(acc[i][j], af[i], bw[j]);
    }
}

// This thread's output columns' int8 scales and biases (none: zeros), read before the kernel waits for its inputs:
// they are weights, and read after the product their latency was the tail of every product (Nsight Compute: 8% of
// ln_matmul's stall samples, 14% of matmul_residual's, at the bias loads).
struct Columns {
    float2 scale[2], bias[2];
    __device__ __forceinline__ Columns(const float* scales, const float* biases, int n0, int warp) {
        const int t = threadIdx.x & 3;
#pragma unroll
        for (int j = 0; j < 2; j++) {
            const int col = n0 + warp_col(warp) + j * 8 + 2 * t;
#if defined(WEIGHTS_INT8)
            scale[j] = __ldg(reinterpret_cast<const float2*>(scales + col));
#else
            scale[j] = make_float2(1.f, 1.f);
#endif
            bias[j] = biases != nullptr ? __ldg(reinterpret_cast<const float2*>(biases + col)) : make_float2(0.f, 0.f);
        }
    }
};

// Calls out(row, col, v0, v1) for each pair of adjacent outputs warp `warp` of the tile holds (rows below T),
// v = acc * scale + bias.
template <typename Out>
__device__ __forceinline__ void each_output(const float (&acc)[2][2][4], const Columns& cols, int T, int m0, int n0, int warp, Out out) {
    const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
#pragma unroll
    for (int j = 0; j < 2; j++) {
        const int col = n0 + warp_col(warp) + j * 8 + 2 * t;
#pragma unroll
        for (int i = 0; i < 2; i++)
#pragma unroll
            for (int h = 0; h < 2; h++) {
                const int row = m0 + warp_row(warp) + i * 16 + g + 8 * h;
                if (row < T)
                    out(row, col, acc[i][j][2 * h] * cols.scale[j].x + cols.bias[j].x, acc[i][j][2 * h + 1] * cols.scale[j].y + cols.bias[j].y);
            }
    }
}

// ---- LayerNorm, then a product ------------------------------------------------------------------------------

#define PAIRS (MODEL_C / 64) // LayerNorm: a lane takes columns 2 (lane + 32 i) and the next of a row, i < PAIRS

// The LayerNorm gain and shift of this lane's columns, in registers (loaded before waiting: they are weights).
struct LnParams {
    float2 gain[PAIRS], shift[PAIRS];
    __device__ __forceinline__ LnParams(const float* ln_w, const float* ln_b) {
        const int lane = threadIdx.x & 31;
#pragma unroll
        for (int i = 0; i < PAIRS; i++) {
            gain[i] = reinterpret_cast<const float2*>(ln_w)[lane + 32 * i];
            shift[i] = reinterpret_cast<const float2*>(ln_b)[lane + 32 * i];
        }
    }
};

// Rows [m0, m0 + rows) of x [T, C] (fp32), normalised, into xs as bf16, rows `stride` apart. A warp takes rows
// warp + WARPS k two at a time, the next two's loads issued before these two's reductions, so that their latency is
// paid about once and hidden behind the arithmetic.
__device__ __forceinline__ void normalise_rows(bf16* xs, int stride, const float* x, const LnParams& ln, float eps, int m0, int rows) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    float2 v[2][PAIRS], next[2][PAIRS];
    auto load = [&](float2 (&dst)[2][PAIRS], int r) { // rows r and r + WARPS, where they exist
#pragma unroll
        for (int h = 0; h < 2; h++) {
            if (r + h * WARPS >= rows) continue;
            const float2* row = reinterpret_cast<const float2*>(x + (size_t)(m0 + r + h * WARPS) * MODEL_C);
#pragma unroll
            for (int i = 0; i < PAIRS; i++) dst[h][i] = __ldcg(row + lane + 32 * i); // from L2: other blocks wrote it
        }
    };
    load(v, warp);
    for (int r = warp; r < rows; r += 2 * WARPS) {
        if (r + 2 * WARPS < rows) load(next, r + 2 * WARPS);
        // Mean and mean square in one reduction (as the decode kernel does): the two rows' four sums go through
        // the shuffles together, one chain of 5 instead of two after each other.
        float sum[2][2] = {};
#pragma unroll
        for (int h = 0; h < 2; h++)
#pragma unroll
            for (int i = 0; i < PAIRS; i++) {
                sum[h][0] += v[h][i].x + v[h][i].y;
                sum[h][1] += v[h][i].x * v[h][i].x + v[h][i].y * v[h][i].y;
            }
#pragma unroll
        for (int h = 0; h < 2; h++)
#pragma unroll
            for (int j = 0; j < 2; j++) sum[h][j] = warp_sum(sum[h][j]); // four independent chains, interleaved
        float mean[2], rstd[2];
#pragma unroll
        for (int h = 0; h < 2; h++) {
            mean[h] = sum[h][0] * (1.f / MODEL_C);
            rstd[h] = rsqrtf(fmaxf(sum[h][1] * (1.f / MODEL_C) - mean[h] * mean[h], 0.f) + eps);
        }
#pragma unroll
        for (int h = 0; h < 2; h++) {
            if (r + h * WARPS >= rows) continue;
            bf16* row = xs + (size_t)(r + h * WARPS) * stride;
#pragma unroll
            for (int i = 0; i < PAIRS; i++)
                *reinterpret_cast<__nv_bfloat162*>(row + 2 * (lane + 32 * i)) =
                    __floats2bfloat162_rn((v[h][i].x - mean[h]) * rstd[h] * ln.gain[i].x + ln.shift[i].x,
                                          (v[h][i].y - mean[h]) * rstd[h] * ln.gain[i].y + ln.shift[i].y);
        }
#pragma unroll
        for (int h = 0; h < 2; h++)
#pragma unroll
            for (int i = 0; i < PAIRS; i++) v[h][i] = next[h][i];
    }
}

// y [T, N] (bf16) = LayerNorm(x) W^T + b, then GELU where gelu != 0, for the output tile at (n0, m0). Dynamic shared
// memory TILE_M * LN_STRIDE * 2 + LN_STAGES * W_STAGE_BYTES (PrefillKernels.LnMatmulSharedBytes). In two parts: the
// weights do not depend on earlier work, so their first chunks (all of them where shared memory holds them) are
// copied while that finishes; the rest waits for x.
__device__ __forceinline__ void ln_matmul_weights(unsigned char* smem, const WT* W, int n0) {
    unsigned char* ws = smem + TILE_M * LN_STRIDE * 2;
#pragma unroll
    for (int s = 0; s < LN_STAGES - 1; s++) {
        if (s < MODEL_C / TILE_K) stage_weights(ws + s * W_STAGE_BYTES, W, MODEL_C, n0, s * TILE_K);
        commit_copies();
    }
}

// Where the rows come normalised (prefill_layernorm), they are copied in NORMED_GROUPS cp.async groups of chunks of K,
// all in flight at once, and the products start on the first group while the others land.
#define NORMED_GROUPS 4

// The group of chunk c of n split into `groups` runs as split_point does.
__device__ __forceinline__ int group_of(int c, int n, int groups) { return ((c + 1) * groups - 1) / n; }

// y [T, N] (bf16) = the outputs warp `warp` of the tile holds, through GELU where gelu is set: the end of the products
// from LayerNorm rows (ln_matmul, normed_matmul).
__device__ __forceinline__ void store_outputs(const float (&acc)[2][2][4], const Columns& cols, int gelu, bf16* y, int T, int N,
                                              int m0, int n0, int warp) {
    each_output(acc, cols, T, m0, n0, warp, [&](int row, int col, float v0, float v1) {
        if (gelu) {
            v0 = gelu_tanh(v0);
            v1 = gelu_tanh(v1);
        }
        *reinterpret_cast<__nv_bfloat162*>(y + (size_t)row * N + col) = __floats2bfloat162_rn(v0, v1);
    });
}

// The tile's rows: normalised here from x, or (normed not null) copied from normed [T, C], already normalised.
__device__ __forceinline__ void ln_matmul_tile(unsigned char* smem, const float* x, const bf16* normed, const LnParams& ln, float eps,
                                               const WT* W, const Columns& cols, int gelu, bf16* y, int T, int N, int n0, int m0) {
    bf16* xs = reinterpret_cast<bf16*>(smem);
    unsigned char* ws = smem + TILE_M * LN_STRIDE * 2;
    constexpr int K = MODEL_C, chunks = K / TILE_K;
    const int warp = threadIdx.x >> 5;
    if (normed != nullptr) {
        for (int g = 0; g < NORMED_GROUPS; g++) {
            for (int c = g * chunks / NORMED_GROUPS; c < (g + 1) * chunks / NORMED_GROUPS; c++)
                stage_activations(xs + c * TILE_K, normed, T, K, m0, c * TILE_K, LN_STRIDE);
            commit_copies();
        }
    } else {
        normalise_rows(xs, LN_STRIDE, x, ln, eps, m0, min(TILE_M, T - m0));
    }

    float acc[2][2][4] = {};
    for (int c = 0; c < chunks; c++) {
        // Chunk c has landed: its weights (the first LN_STAGES - 1 chunks' groups were committed first, then the
        // normalised rows', then one a chunk below), and where they are copied its rows.
        if (normed == nullptr || c > LN_STAGES - 2) await_copies<LN_STAGES - 2>();
        else await_copies_at_most(NORMED_GROUPS + c - 1 - group_of(c, chunks, NORMED_GROUPS));
        __syncthreads(); // for every thread; and chunk c - 1's stage is free again
        const int next = c + LN_STAGES - 1;
        if (next < chunks) stage_weights(ws + (next % LN_STAGES) * W_STAGE_BYTES, W, K, n0, next * TILE_K);
        commit_copies();
        multiply_chunk(acc, xs + warp_row(warp) * LN_STRIDE + c * TILE_K, LN_STRIDE,
                       ws + (c % LN_STAGES) * W_STAGE_BYTES + warp_col(warp) * W_STRIDE);
    }
    store_outputs(acc, cols, gelu, y, T, N, m0, n0, warp);
    __syncthreads(); // shared memory is free for what comes next
}

// Grid (N / TILE_N, ceil(T / TILE_M)); where only_last is set, (N / TILE_N, 1) for the prompt's last row alone. With
// normed set, the rows come normalised from prefill_layernorm (x, ln_w and ln_b are unused).
extern "C" __global__ void __launch_bounds__(THREADS) ln_matmul(
    const float* __restrict__ x, const float* __restrict__ ln_w, const float* __restrict__ ln_b, float eps, const bf16* __restrict__ normed,
    const WT* __restrict__ W, const float* __restrict__ scale, const float* __restrict__ bias, int gelu,
    bf16* __restrict__ y, int T, int N, const int* __restrict__ only_last) {
    extern __shared__ __align__(16) unsigned char smem[];
    const RowTile rows = row_tile(only_last, T);
    ln_matmul_weights(smem, W, blockIdx.x * TILE_N);
    const LnParams ln(ln_w, ln_b);
    const Columns cols(scale, bias, blockIdx.x * TILE_N, threadIdx.x >> 5);
    wait_for_previous_kernel();
    allow_next_kernel();
    ln_matmul_tile(smem, x, normed, ln, eps, W, cols, gelu, y, rows.end, N, blockIdx.x * TILE_N, rows.m0);
}

// normed [T, C] (bf16) = LayerNorm(x), for ln_matmul to copy instead of normalising the same 64 rows in each of its
// blocks of a row tile (36..48 of them for gpt2): rows [LN_ROWS b, LN_ROWS (b + 1)) by block b, one trip of
// normalise_rows; where only_last is set, one block for the prompt's last row alone. It lets the next launch start at
// once, so that ln_matmul's weight copies overlap the product before this launch as they would without it.
#define LN_ROWS 16 // normalise_rows' one trip: two rows a warp
static_assert(LN_ROWS == 2 * WARPS, "prefill_layernorm's block takes one trip of normalise_rows");
extern "C" __global__ void __launch_bounds__(THREADS) prefill_layernorm(
    const float* __restrict__ x, const float* __restrict__ ln_w, const float* __restrict__ ln_b, float eps,
    bf16* __restrict__ normed, int T, const int* __restrict__ only_last) {
    const LnParams ln(ln_w, ln_b);
    allow_next_kernel();
    wait_for_previous_kernel();
    const int m0 = only_last != nullptr ? last_position(only_last) : (int)blockIdx.x * LN_ROWS;
    const int rows = only_last != nullptr ? 1 : min(LN_ROWS, T - m0);
    normalise_rows(normed + (size_t)m0 * MODEL_C, MODEL_C, x, ln, eps, m0, rows);
}

// ---- a product from normalised rows, K split between the block's warps ------------------------------------------

// ln_matmul from normalised rows where every weight chunk fits in shared memory beside them (PrefillKernels.
// NormedMatmulSharedBytes): blocks of K_PARTS parts of WARPS warps each, part p computing the whole 64 x 64 tile over
// the p-th share of K's chunks, then the other parts handing their sums to part 0 through shared memory. K_PARTS times
// ln_matmul's warps an SM, each warp's chain of chunks K_PARTS times shorter: ln_matmul's warps mostly wait on the
// ldmatrix feeding each mma (Nsight Compute, BENCHMARKS.md, fifteenth session), two warps an SM sub-partition being
// too few to hide it. The weights are copied before the wait (one group), the rows after it in ROW_GROUPS groups, each
// holding the same share of every part's chunks, so that every part starts on the first. Compiled with -DK_PARTS
// (PrefillKernels.KParts: 4 for bf16 and 2 for int8 by default; 2, 3 or 4 divide GPT-2's 12 chunks of 64).
#ifndef K_PARTS
#error "compile with -DK_PARTS (PrefillKernels.KParts)"
#endif
#define PARTS_THREADS (K_PARTS * THREADS)
#define ROW_GROUPS 3
extern "C" __global__ void __launch_bounds__(PARTS_THREADS) normed_matmul(
    const bf16* __restrict__ normed, const WT* __restrict__ W, const float* __restrict__ scale, const float* __restrict__ bias, int gelu,
    bf16* __restrict__ y, int T, int N, const int* __restrict__ only_last) {
    extern __shared__ __align__(16) unsigned char smem[];
    constexpr int K = MODEL_C, chunks = K / TILE_K, share = chunks / K_PARTS;
    static_assert(chunks % K_PARTS == 0, "normed_matmul gives every part as many of K's chunks");
    bf16* xs = reinterpret_cast<bf16*>(smem);
    unsigned char* ws = smem + TILE_M * LN_STRIDE * 2;
    const RowTile rows = row_tile(only_last, T);
    const int n0 = blockIdx.x * TILE_N, part = threadIdx.x / THREADS, warp = (threadIdx.x >> 5) % WARPS;
    for (int c = 0; c < chunks; c++) stage_weights<PARTS_THREADS>(ws + c * W_STAGE_BYTES, W, K, n0, c * TILE_K);
    commit_copies();
    const Columns cols(scale, bias, n0, warp);
    wait_for_previous_kernel();
    allow_next_kernel();
    // Group g: chunks [first(g), first(g + 1)) of every part's share.
    const auto first = [&](int g) { return g * share / ROW_GROUPS; };
    for (int g = 0; g < ROW_GROUPS; g++) {
        for (int p = 0; p < K_PARTS; p++)
            for (int c = p * share + first(g); c < p * share + first(g + 1); c++)
                stage_activations<PARTS_THREADS>(xs + c * TILE_K, normed, rows.end, K, rows.m0, c * TILE_K, LN_STRIDE);
        commit_copies();
    }
    float acc[2][2][4] = {};
    for (int g = 0; g < ROW_GROUPS; g++) {
        await_copies_at_most(ROW_GROUPS - 1 - g); // the weights' group and the rows' groups up to g
        __syncthreads();
        for (int c = part * share + first(g); c < part * share + first(g + 1); c++)
            multiply_chunk(acc, xs + warp_row(warp) * LN_STRIDE + c * TILE_K, LN_STRIDE, ws + c * W_STAGE_BYTES + warp_col(warp) * W_STRIDE);
    }
    // The other parts' sums to part 0 through the used-up weight stages (16 floats a thread, K_PARTS - 1 parts: at
    // most 48 KB), lane-major so that a warp's stores hit 32 banks.
    __syncthreads();
    float* handed = reinterpret_cast<float*>(ws);
    const int slot = threadIdx.x % THREADS;
    if (part > 0) {
#pragma unroll
        for (int i = 0; i < 2; i++)
#pragma unroll
            for (int j = 0; j < 2; j++)
#pragma unroll
                for (int e = 0; e < 4; e++) handed[(((part - 1) * 2 + i) * 2 + j) * 4 * THREADS + e * THREADS + slot] = acc[i][j][e];
    }
    __syncthreads();
    if (part > 0) return;
    for (int p = 1; p < K_PARTS; p++)
#pragma unroll
        for (int i = 0; i < 2; i++)
#pragma unroll
            for (int j = 0; j < 2; j++)
#pragma unroll
                for (int e = 0; e < 4; e++) acc[i][j][e] += handed[(((p - 1) * 2 + i) * 2 + j) * 4 * THREADS + e * THREADS + slot];
    store_outputs(acc, cols, gelu, y, rows.end, N, rows.m0, n0, warp);
}

// ---- a product added into the residual stream --------------------------------------------------------------

// x [T, N] (fp32) += a [T, K] W^T (+ b, added by the first split) for the output tile at (n0, m0): split `split` of
// `splits` takes chunks [split chunks / splits, (split + 1) chunks / splits) of K and adds its share with atomics.
// Dynamic shared memory STAGES * (A_STAGE_BYTES + W_STAGE_BYTES). In two parts, as ln_matmul: the weights first
// (the first group holds them all), then the activations once they are written.
__device__ __forceinline__ int first_chunk(int K, int split, int splits) { return split * (K / TILE_K) / splits; }

__device__ __forceinline__ void matmul_weights(unsigned char* smem, const WT* W, int K, int n0, int split, int splits) {
    constexpr int STAGE_BYTES = A_STAGE_BYTES + W_STAGE_BYTES;
    const int first = first_chunk(K, split, splits), end = first_chunk(K, split + 1, splits);
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++)
        if (first + s < end) stage_weights(smem + s * STAGE_BYTES + A_STAGE_BYTES, W, K, n0, (first + s) * TILE_K);
}

__device__ __forceinline__ void matmul_residual_tile(unsigned char* smem, const bf16* a, const WT* W, const Columns& cols,
                                                     float* x, int T, int N, int K, int n0, int m0, int split, int splits) {
    constexpr int STAGE_BYTES = A_STAGE_BYTES + W_STAGE_BYTES;
    const int warp = threadIdx.x >> 5;
    const int first = first_chunk(K, split, splits), end = first_chunk(K, split + 1, splits);
#pragma unroll
    for (int s = 0; s < STAGES - 1; s++) {
        if (first + s < end) stage_activations(reinterpret_cast<bf16*>(smem + s * STAGE_BYTES), a, T, K, m0, (first + s) * TILE_K);
        commit_copies();
    }

    float acc[2][2][4] = {};
    for (int c = first; c < end; c++) {
        await_copies<STAGES - 2>();
        __syncthreads();
        const int next = c + STAGES - 1;
        if (next < end) {
            unsigned char* stage = smem + ((next - first) % STAGES) * STAGE_BYTES;
            stage_activations(reinterpret_cast<bf16*>(stage), a, T, K, m0, next * TILE_K);
            stage_weights(stage + A_STAGE_BYTES, W, K, n0, next * TILE_K);
        }
        commit_copies();
        const unsigned char* stage = smem + ((c - first) % STAGES) * STAGE_BYTES;
        multiply_chunk(acc, reinterpret_cast<const bf16*>(stage) + warp_row(warp) * A_STRIDE, A_STRIDE,
                       stage + A_STAGE_BYTES + warp_col(warp) * W_STRIDE);
    }
    each_output(acc, cols, T, m0, n0, warp, [&](int row, int col, float v0, float v1) {
        const float pair[2] = {v0, v1};
        add_rows<2>(x + (size_t)row * N + col, pair);
    });
    __syncthreads(); // shared memory is free for what comes next
}

// Grid (N / TILE_N, ceil(T / TILE_M), splits); where only_last is set, (N / TILE_N, 1, splits) for the prompt's last
// row alone (the other rows of x are left as they are).
extern "C" __global__ void __launch_bounds__(THREADS) matmul_residual(
    const bf16* __restrict__ a, const WT* __restrict__ W, const float* __restrict__ scale, const float* __restrict__ bias,
    float* __restrict__ x, int T, int N, int K, const int* __restrict__ only_last) {
    extern __shared__ __align__(16) unsigned char smem[];
    const RowTile rows = row_tile(only_last, T);
    matmul_weights(smem, W, K, blockIdx.x * TILE_N, blockIdx.z, gridDim.z);
    const Columns cols(scale, blockIdx.z == 0 ? bias : nullptr, blockIdx.x * TILE_N, threadIdx.x >> 5); // the first split adds the bias
    wait_for_previous_kernel();
    allow_next_kernel();
    matmul_residual_tile(smem, a, W, cols, x, rows.end, N, K, blockIdx.x * TILE_N, rows.m0, blockIdx.z, gridDim.z);
}

// ---- attention ---------------------------------------------------------------------------------------------

#define QUERIES 64   // positions a block attends from: 16 a warp of each key group (the rows of its mma tiles)
#define KEYS 64      // keys a group scores at a time
#define KV_STRIDE (HEAD_DIM + 8) // bf16 between staged rows (16 bytes of padding, as for the products' tiles)

__device__ __forceinline__ unsigned int bf16_pair(const bf16* p) { return *reinterpret_cast<const unsigned int*>(p); }

// Two floats as a bf16 pair, the first in the low half.
__device__ __forceinline__ unsigned int bf16x2(float lo, float hi) {
    const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<const unsigned int*>(&h);
}

// out [T, C] (bf16) = causal softmax(q k^T / sqrt(D)) v for head h and positions [q0, q0 + QUERIES) below `outputs`
// (T, or fewer in the last layer), with q, k, v from qkv [T, 3C]; also stores the keys and values of those positions
// below T in the layer's cache (keys and values [H, positions, D] each), whatever `outputs`. Flash-attention style
// on tensor cores: each warp takes 16 queries, scores a staged tile of keys with mma (q as A, k as B), keeps each
// row's running max and sum (online softmax, rows spread over the 4 lanes of a quad) and adds p v with mma (p from
// the score fragments, v's B fragments read transposed from its staged rows by ldmatrix). With two KEY_GROUPS of warps the block's groups take alternate
// tiles of keys (so a warp's chain of tiles is half as long), and the second group's partial softmax is merged into
// the first's at the end.
#define ATTENTION_THREADS(KEY_GROUPS) (32 * (KEY_GROUPS) * QUERIES / 16)
// Its shared memory: the queries, then per key group a tile of keys and one of values, each [key][dimension].
#define ATTENTION_SHARED_BYTES(KEY_GROUPS) (2 * (QUERIES * KV_STRIDE + 2 * (KEY_GROUPS) * KEYS * KV_STRIDE))
template <int KEY_GROUPS>
__device__ __forceinline__ void attention(unsigned char* smem, const bf16* qkv, bf16* keys, bf16* values, bf16* out, int T, int outputs,
                                          int positions, int h, int q0) {
    constexpr int C = MODEL_C, THREADS_USED = ATTENTION_THREADS(KEY_GROUPS);
    bf16(*qs)[KV_STRIDE] = reinterpret_cast<bf16(*)[KV_STRIDE]>(smem);
    bf16(*ks)[KEYS][KV_STRIDE] = reinterpret_cast<bf16(*)[KEYS][KV_STRIDE]>(smem + 2 * QUERIES * KV_STRIDE);
    bf16(*vs)[KEYS][KV_STRIDE] = reinterpret_cast<bf16(*)[KEYS][KV_STRIDE]>(smem + 2 * (QUERIES + KEY_GROUPS * KEYS) * KV_STRIDE);
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
    constexpr int WARPS_PER_GROUP = QUERIES / 16;
    const int group = warp / WARPS_PER_GROUP, qw = warp % WARPS_PER_GROUP; // key group; which 16 queries
    const int end = min(q0 + QUERIES, outputs); // keys [0, end)

    // A chunk of KEY_GROUPS tiles of keys and values, this thread's share, in registers: each chunk is loaded while the
    // one before is in use (the first while this block's cache entries are stored), so that no tile waits a trip to L2
    // after the barrier before its use, as each did when it was loaded there.
    constexpr int CHUNK = KEY_GROUPS * KEYS, PER_THREAD = CHUNK * HEAD_DIM / 8 / THREADS_USED;
    static_assert(CHUNK * HEAD_DIM / 8 % THREADS_USED == 0, "every thread takes as many of a chunk's vectors");
    uint4 kr[PER_THREAD], vr[PER_THREAD];
    // Vector i of this thread's share: its row of the chunk and its first dimension.
    const auto share_at = [&](int i) {
        const int v = threadIdx.x + i * THREADS_USED;
        return make_int2(v / (HEAD_DIM / 8), 8 * (v % (HEAD_DIM / 8)));
    };
    const auto load_chunk = [&](int k00) {
#pragma unroll
        for (int i = 0; i < PER_THREAD; i++) {
            const int2 at = share_at(i);
            const int p = k00 + at.x, d = at.y;
            kr[i] = vr[i] = make_uint4(0, 0, 0, 0);
            if (p < end) {
                const bf16* src = qkv + (size_t)p * 3 * C + h * HEAD_DIM + d;
                kr[i] = __ldcg(reinterpret_cast<const uint4*>(src + C));
                vr[i] = __ldcg(reinterpret_cast<const uint4*>(src + 2 * C));
            }
        }
    };
    if (q0 < outputs) load_chunk(0);

    // This block's positions: keys and values into the cache, queries into shared memory.
    for (int v = threadIdx.x; v < QUERIES * HEAD_DIM / 8; v += THREADS_USED) {
        const int r = v / (HEAD_DIM / 8), d = 8 * (v % (HEAD_DIM / 8)), p = q0 + r;
        uint4 q = make_uint4(0, 0, 0, 0);
        if (p < T) {
            const bf16* src = qkv + (size_t)p * 3 * C + h * HEAD_DIM + d;
            const size_t slot = ((size_t)h * positions + p) * HEAD_DIM + d;
            *reinterpret_cast<uint4*>(keys + slot) = __ldcg(reinterpret_cast<const uint4*>(src + C));
            *reinterpret_cast<uint4*>(values + slot) = __ldcg(reinterpret_cast<const uint4*>(src + 2 * C));
            q = __ldcg(reinterpret_cast<const uint4*>(src));
        }
        *reinterpret_cast<uint4*>(&qs[r][d]) = q;
    }
    if (q0 >= outputs) return; // the cache entries were all that was asked of this block
    __syncthreads();
    const int row0 = q0 + 16 * qw; // this warp's queries: row0 + g and row0 + g + 8
    unsigned int qf[HEAD_DIM / 16][4]; // q as A fragments, one per 16 dimensions
#pragma unroll
    for (int kk = 0; kk < HEAD_DIM / 16; kk++) {
        const bf16* p = &qs[16 * qw + g][16 * kk + 2 * t];
        qf[kk][0] = bf16_pair(p);
        qf[kk][1] = bf16_pair(p + 8 * KV_STRIDE);
        qf[kk][2] = bf16_pair(p + 8);
        qf[kk][3] = bf16_pair(p + 8 * KV_STRIDE + 8);
    }

    float o[HEAD_DIM / 8][4] = {}; // the weighted values: rows g (0, 1) and g + 8 (2, 3), dimensions 8 n + 2 t (+1)
    float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f}; // per row; l is this lane's share of the row sum
    const float scale = 0.125f * 1.4426950408889634f; // 1 / sqrt(D), in log2 units for exp2f
    for (int k00 = 0; k00 < end; k00 += CHUNK) {
        __syncthreads(); // the previous keys are used up
#pragma unroll
        for (int i = 0; i < PER_THREAD; i++) {
            const int2 at = share_at(i);
            const int tile = at.x / KEYS, row = at.x % KEYS, d = at.y;
            *reinterpret_cast<uint4*>(&ks[tile][row][d]) = kr[i];
            *reinterpret_cast<uint4*>(&vs[tile][row][d]) = vr[i];
        }
        __syncthreads();
        if (k00 + CHUNK < end) load_chunk(k00 + CHUNK); // the next chunk's trip to L2 under this one's products
        const int k0 = k00 + group * KEYS; // this group's tile
        if (row0 >= outputs || row0 + 15 < k0 || k0 >= end) continue; // warp-uniform: no query here, or every key is later

        float s[KEYS / 8][4] = {};
#pragma unroll
        for (int j = 0; j < KEYS / 8; j++)
#pragma unroll
            for (int kk = 0; kk < HEAD_DIM / 16; kk++) {
                const unsigned int b[2] = {bf16_pair(&ks[group][8 * j + g][16 * kk + 2 * t]), bf16_pair(&ks[group][8 * j + g][16 * kk + 2 * t + 8])};
                mma(s[j], qf[kk], b);
            }
        // Mask later keys; each row's max over the tile (its 4 lanes hold 16 keys each).
        float mx[2] = {m[0], m[1]};
#pragma unroll
        for (int j = 0; j < KEYS / 8; j++)
#pragma unroll
            for (int e = 0; e < 4; e++) {
                const int row = row0 + g + 8 * (e >> 1), key = k0 + 8 * j + 2 * t + (e & 1);
                s[j][e] = key <= row ? s[j][e] * scale : -INFINITY;
                mx[e >> 1] = fmaxf(mx[e >> 1], s[j][e]);
            }
        float rescaled[2];
#pragma unroll
        for (int r = 0; r < 2; r++) {
            mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
            mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
            // A row past the prompt has seen no key: keep it finite (its output is never stored).
            if (mx[r] == -INFINITY) mx[r] = 0.f;
            rescaled[r] = exp2f(m[r] - mx[r]); // 0 while m is -inf
            m[r] = mx[r];
            l[r] *= rescaled[r];
        }
#pragma unroll
        for (int n = 0; n < HEAD_DIM / 8; n++)
#pragma unroll
            for (int e = 0; e < 4; e++) o[n][e] *= rescaled[e >> 1];
        // p = exp2(s - max); the C fragments of two adjacent key tiles are the A fragment of p (16 queries x 16 keys)
        // for o += p v.
#pragma unroll
        for (int kk = 0; kk < KEYS / 16; kk++) {
            float p[2][4];
#pragma unroll
            for (int half = 0; half < 2; half++)
#pragma unroll
                for (int e = 0; e < 4; e++) {
                    p[half][e] = exp2f(s[2 * kk + half][e] - m[e >> 1]);
                    l[e >> 1] += p[half][e];
                }
            const unsigned int a[4] = {bf16x2(p[0][0], p[0][1]), bf16x2(p[0][2], p[0][3]), bf16x2(p[1][0], p[1][1]), bf16x2(p[1][2], p[1][3])};
#pragma unroll
            for (int n = 0; n < HEAD_DIM / 8; n += 2) { // matrices: keys 16 kk.. and 16 kk + 8.. of dimensions 8 n.., then 8 n + 8..
                unsigned int b[4];
                load_matrices_transposed(b, &vs[group][16 * kk + ((lane >> 3) & 1) * 8 + (lane & 7)][8 * n + (lane >> 4) * 8]);
                const unsigned int first[2] = {b[0], b[1]}, second[2] = {b[2], b[3]};
                mma(o[n], a, first);
                mma(o[n + 1], a, second);
            }
        }
    }
    // The second group's max, sum and weighted values through shared memory (the staged keys are used up), lane-major
    // so that a warp's 32 lanes hit 32 banks; the first group merges them into its own and writes the output.
    if constexpr (KEY_GROUPS > 1) {
        __syncthreads();
        float* spilled = reinterpret_cast<float*>(&ks[0][0][0]);    // o: HEAD_DIM / 8 x 4 values a lane
        float* stats = reinterpret_cast<float*>(&vs[0][0][0]);      // m and l: 2 + 2 a lane
        constexpr int LANES = 32 * WARPS_PER_GROUP;
        const int slot = qw * 32 + lane;
        if (group == 1) {
#pragma unroll
            for (int n = 0; n < HEAD_DIM / 8; n++)
#pragma unroll
                for (int e = 0; e < 4; e++) spilled[(4 * n + e) * LANES + slot] = o[n][e];
#pragma unroll
            for (int r = 0; r < 2; r++) {
                stats[r * LANES + slot] = m[r];
                stats[(2 + r) * LANES + slot] = l[r];
            }
        }
        __syncthreads();
#pragma unroll
        for (int r = 0; r < 2 && group == 0; r++) {
            const float other = stats[r * LANES + slot], top = fmaxf(m[r], other);
            const float mine = m[r] == -INFINITY ? 0.f : exp2f(m[r] - top), theirs = other == -INFINITY ? 0.f : exp2f(other - top);
            l[r] = l[r] * mine + stats[(2 + r) * LANES + slot] * theirs;
#pragma unroll
            for (int n = 0; n < HEAD_DIM / 8; n++)
#pragma unroll
                for (int e = 2 * r; e < 2 * r + 2; e++) o[n][e] = o[n][e] * mine + spilled[(4 * n + e) * LANES + slot] * theirs;
        }
    }
#pragma unroll
    for (int r = 0; r < 2; r++) {
        l[r] += __shfl_xor_sync(0xffffffffu, l[r], 1);
        l[r] += __shfl_xor_sync(0xffffffffu, l[r], 2);
    }
#pragma unroll
    for (int r = 0; r < 2; r++) {
        const int row = row0 + g + 8 * r;
        if (row >= outputs || group != 0) continue; // the first group holds the merged rows
        bf16* dst = out + (size_t)row * C + h * HEAD_DIM;
#pragma unroll
        for (int n = 0; n < HEAD_DIM / 8; n++)
            *reinterpret_cast<__nv_bfloat162*>(dst + 8 * n + 2 * t) = __floats2bfloat162_rn(o[n][2 * r] / l[r], o[n][2 * r + 1] / l[r]);
    }
    __syncthreads(); // shared memory is free for what comes next
}

// One group of warps while the keys fit one tile (a second would wait idle and cost its merge), two beyond
// (PrefillKernels.AttentionKeyGroups chooses).
// Grid (heads, ceil(T / QUERIES)): every block stores its positions' cache entries; where only_last is set, only the
// block of the prompt's last position computes outputs, of its rows up to that one (those after it would be wasted).
#define ATTENTION_ENTRY(KEY_GROUPS)                                                                                     \
    extern "C" __global__ void __launch_bounds__(ATTENTION_THREADS(KEY_GROUPS)) prefill_attention_##KEY_GROUPS(          \
        const bf16* __restrict__ qkv, bf16* __restrict__ keys, bf16* __restrict__ values, bf16* __restrict__ out, int T, \
        int positions, const int* __restrict__ only_last) {                                                           \
        __shared__ __align__(16) unsigned char smem[ATTENTION_SHARED_BYTES(KEY_GROUPS)];                                \
        const int last = only_last ? last_position(only_last) : T - 1;                                                 \
        const int outputs = only_last && (int)blockIdx.y != last / QUERIES ? 0 : last + 1;                              \
        wait_for_previous_kernel();                                                                                     \
        allow_next_kernel();                                                                                            \
        attention<KEY_GROUPS>(smem, qkv, keys, values, out, T, outputs, positions, blockIdx.x, blockIdx.y * QUERIES);  \
    }
ATTENTION_ENTRY(1)
ATTENTION_ENTRY(2)

// ---- the ends ----------------------------------------------------------------------------------------------

// x[p] = wte[token] + wpe[p].
__device__ __forceinline__ void embed_row(const WT* wte, const float* wte_scale, const WT* wpe, const float* wpe_scale, const Start* start,
                                          float* x, int p) {
    const int token = start->tokens[p];
    for (int c = threadIdx.x; c < MODEL_C; c += THREADS)
        x[(size_t)p * MODEL_C + c] = weight_at(wte, wte_scale, token, MODEL_C, c) + weight_at(wpe, wpe_scale, p, MODEL_C, c);
}

// The decoder's start: last [C] = x[length - 1] (its lm_head gives the first token's logits), the step state
// (token, position, step) = (0, length - 1, 0), and the sampler's seed.
__device__ __forceinline__ void start_decoder(const float* x, const Start* start, float* last, int* state, unsigned long long* seed) {
    const int length = start->length;
    const float* row = x + (size_t)(length - 1) * MODEL_C;
    for (int c = threadIdx.x; c < MODEL_C; c += THREADS) last[c] = __ldcg(row + c);
    if (threadIdx.x == 0) {
        state[0] = 0;
        state[1] = length - 1;
        state[2] = 0;
        *seed = start->seed;
    }
}

// x [T, C], a block a position.
extern "C" __global__ void __launch_bounds__(THREADS) prefill_embed(const WT* __restrict__ wte, const float* __restrict__ wte_scale,
                                                                    const WT* __restrict__ wpe, const float* __restrict__ wpe_scale,
                                                                    const Start* __restrict__ start, float* __restrict__ x,
                                                                    int* __restrict__ length) {
    wait_for_previous_kernel();
    allow_next_kernel();
    if (blockIdx.x == 0 && threadIdx.x == 0) *length = start->length; // for the last layer's launches (last_position)
    embed_row(wte, wte_scale, wpe, wpe_scale, start, x, blockIdx.x);
}

extern "C" __global__ void __launch_bounds__(THREADS) prefill_last(const float* __restrict__ x, const Start* __restrict__ start,
                                                                   float* __restrict__ last, int* __restrict__ state,
                                                                   unsigned long long* __restrict__ seed) {
    wait_for_previous_kernel();
    allow_next_kernel();
    start_decoder(x, start, last, state, seed);
}

// ---- the whole prefill in one launch ------------------------------------------------------------------------

// One layer's parameters as the host lays them out in device memory (PrefillKernels.LayerTable).
struct PrefillLayer {
    const float *ln1_w, *ln1_b;
    const WT* attn; const float *attn_scale, *attn_bias;
    const WT* proj; const float *proj_scale, *proj_bias;
    const float *ln2_w, *ln2_b;
    const WT* fc; const float *fc_scale, *fc_bias;
    const WT* down; const float *down_scale, *down_bias;
};

struct PrefillArgs {
    const PrefillLayer* layers;
    const WT* wte; const float* wte_scale; const WT* wpe; const float* wpe_scale;
    const Start* start;
    float* x; bf16* qkv; bf16* att; bf16* hidden; // the activations: written and read by different blocks
    bf16* cache;                                  // [L, 2, H, positions, D]
    float* last; int* state; unsigned long long* seed;
    unsigned int* counters; // [2]: grid barrier arrivals, then blocks done; zero at launch, zeroed again by the last block done
    int L, T, positions, proj_splits, down_splits;
    float eps;
};

// Everything the separate launches above do, in one launch of one block an SM (all resident: the host checks), its
// steps separated by grid barriers instead of launches (each of which costs 2..4 us even overlapped): the blocks
// take a step's tiles in turn, and each block copies the weights of its first tile of the next step while it
// waits at the barrier, as the separate kernels do while waiting for the previous one. Attention has two key
// groups whatever T (the block has their threads). Dynamic shared memory: ln_matmul's, the largest.
extern "C" __global__ void __launch_bounds__(THREADS, 1) prefill_all(const __grid_constant__ PrefillArgs a) {
    extern __shared__ __align__(16) unsigned char smem[];
    constexpr int C = MODEL_C, H = MODEL_C / HEAD_DIM;
    const int T = a.T, rows = (T + TILE_M - 1) / TILE_M, me = blockIdx.x, blocks = gridDim.x;
    unsigned int target = 0;

    // Each block's share of a step's tiles (the weight copies of its first one already issued by the *_first below).
    const auto ln_step = [&](const float* ln_w, const float* ln_b, const WT* W, const float* scale, const float* bias, int gelu, bf16* y, int N) {
        const int columns = N / TILE_N;
        for (int t = me; t < columns * rows; t += blocks) {
            if (t != me) ln_matmul_weights(smem, W, (t % columns) * TILE_N);
            ln_matmul_tile(smem, a.x, nullptr, LnParams(ln_w, ln_b), a.eps, W, Columns(scale, bias, (t % columns) * TILE_N, threadIdx.x >> 5), gelu, y, T, N,
                           (t % columns) * TILE_N, (t / columns) * TILE_M);
        }
    };
    const auto ln_first = [&](const WT* W, int N) { if (me < N / TILE_N * rows) ln_matmul_weights(smem, W, (me % (N / TILE_N)) * TILE_N); };
    const auto matmul_step = [&](const bf16* in, const WT* W, const float* scale, const float* bias, int K, int splits) {
        const int columns = C / TILE_N;
        for (int t = me; t < columns * rows * splits; t += blocks) {
            const int n0 = (t % columns) * TILE_N, m0 = (t / columns % rows) * TILE_M, split = t / (columns * rows);
            if (t != me) matmul_weights(smem, W, K, n0, split, splits);
            matmul_residual_tile(smem, in, W, Columns(scale, split == 0 ? bias : nullptr, n0, threadIdx.x >> 5), a.x, T, C, K, n0, m0, split, splits);
        }
    };
    const auto matmul_first = [&](const WT* W, int K, int splits) {
        const int columns = C / TILE_N;
        if (me < columns * rows * splits) matmul_weights(smem, W, K, (me % columns) * TILE_N, me / (columns * rows), splits);
    };

    // A grid barrier whose block issues the copies of its next tile's weights between arriving and waiting: issued
    // before arriving, the arriving thread's release would wait for its own copies.
    const auto sync_copying = [&](auto copy_next) {
        arrive(a.counters);
        target += blocks;
        copy_next();
        wait_for(a.counters, target);
    };

    ln_first(a.layers[0].attn, 3 * C);
    wait_for_previous_kernel();
    for (int p = me; p < T; p += blocks) embed_row(a.wte, a.wte_scale, a.wpe, a.wpe_scale, a.start, a.x, p);
    for (int l = 0; l < a.L; l++) {
        const PrefillLayer& w = a.layers[l];
        bf16* keys = a.cache + (size_t)l * 2 * H * a.positions * HEAD_DIM;
        sync_copying([&] { if (l > 0) ln_first(w.attn, 3 * C); }); // layer 0's: issued before waiting for the previous kernel
        ln_step(w.ln1_w, w.ln1_b, w.attn, w.attn_scale, w.attn_bias, 0, a.qkv, 3 * C);
        sync_copying([] {});
        for (int t = me; t < H * rows; t += blocks)
            attention<2>(smem, a.qkv, keys, keys + (size_t)H * a.positions * HEAD_DIM, a.att, T, T, a.positions, t % H, (t / H) * QUERIES);
        sync_copying([&] { matmul_first(w.proj, C, a.proj_splits); });
        matmul_step(a.att, w.proj, w.proj_scale, w.proj_bias, C, a.proj_splits);
        sync_copying([&] { ln_first(w.fc, 4 * C); });
        ln_step(w.ln2_w, w.ln2_b, w.fc, w.fc_scale, w.fc_bias, 1, a.hidden, 4 * C);
        sync_copying([&] { matmul_first(w.down, 4 * C, a.down_splits); });
        matmul_step(a.hidden, w.down, w.down_scale, w.down_bias, 4 * C, a.down_splits);
    }
    sync_copying([] {});
    allow_next_kernel();
    if (me == 0) start_decoder(a.x, a.start, a.last, a.state, a.seed);
    asm volatile("cp.async.wait_all;" ::: "memory"); // no copy outlives the block
    // A block counts itself done only once past the last barrier, so when the last one is done no block polls the
    // barrier's counter any more and both can be zeroed for the next launch (without a launch of their own).
    if (threadIdx.x == 0 && atomicAdd(a.counters + 1, 1u) == gridDim.x - 1) {
        a.counters[0] = 0;
        a.counters[1] = 0;
    }
}
