// Picks the next token on the GPU, with no host synchronisation: greedy argmax, or temperature +
// top-k + the exponential race (argmax of p_i / E_i with E_i ~ Exp(1), i.e. argmax of
// logit_i / T - log E_i). The top-k set is the k largest logits, ties broken towards the smaller
// token id, so it always holds exactly k tokens.
// Two phases in one launch: each block takes a chunk of the logits and writes its candidates (its
// own top k, or its best token when only one is needed); the last block to finish picks among all
// candidates. Keys are 64-bit: the logit's order-preserving bits above the complemented token id, so
// they are unique and larger means better. Both selections count ranks among the few keys at or above a
// bound (top_k_by_count, and top_k_of_blocks for the one-block draw: three block barriers) and fall back to a radix
// select where that does not apply (measured: top-50 12.3 -> 10.0 us; BENCHMARKS.md).
// The token goes to the next step's input, to the token history, and to a host-mapped ring that
// the host polls: each token reaches the host while the GPU already runs the next step.
#include "common.cuh"

#define THREADS 512 // TokenSampler.Threads
#define MAX_STAGED 4800 // a block's chunk of keys, the candidates the last block copies, or GPT-2's 3 x 1,571 block keys
#define WARPS (THREADS / 32)
#define MAX_HELD 4        // keys a thread holds in top_k_by_count for a block's chunk: it takes up to MAX_HELD x THREADS
#define BLOCK_HELD 4      // and blocks for the one-block draw's block keys: GPT-2's 1,571 (TokenSampler.FromBlockKeys)
static_assert(MAX_STAGED <= BLOCK_KEYS * BLOCK_HELD * THREADS, "the one-block draw's threads hold every block it stages");
static_assert(MAX_STAGED % 2 == 0, "the one-block draw stages its keys in 16-byte copies");
#define MAX_ROUNDS 8      // a warp's share of top_k_by_count's pool: k up to WARPS x MAX_ROUNDS
#define MAX_KEPT THREADS  // keys at or above top_k_by_count's bound it ranks, one a thread
#define MAX_CHOSEN 128    // the one-block draw's top k at most (TokenSampler.FromBlockKeys)

__device__ __forceinline__ float uniform01(unsigned long long seed, unsigned long long step, unsigned int i) {
    unsigned long long z = seed + 0x9E3779B97F4A7C15ull * (step * 0x100000001ull + i + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return ((float)(z >> 40) + 0.5f) * (1.0f / 16777216.0f); // in (0, 1)
}

// The race's score of token i: logit / T + Gumbel noise drawn from (seed, step, i).
__device__ __forceinline__ float race_score(float logit, float inv_temperature, unsigned long long seed, int step, int i) {
    return logit * inv_temperature - __logf(-__logf(uniform01(seed, step, (unsigned int)i)));
}

// The block's largest key, in every thread, where scratch is unread since the last barrier: one barrier.
__device__ Key block_max_once(Key v, Key* scratch) {
    v = warp_max_key(v);
    if ((threadIdx.x & 31) == 0) scratch[threadIdx.x >> 5] = v;
    __syncthreads();
    v = 0;
    for (int w = 0; w < THREADS / 32; w++) v = scratch[w] > v ? scratch[w] : v;
    return v;
}

// The same where another block_max may have read scratch: a barrier first.
__device__ Key block_max(Key v, Key* scratch) {
    __syncthreads();
    return block_max_once(v, scratch);
}

// The threshold key with exactly k of the n keys (zeros excluded) at or above it, found 8 bits at a
// time from the top, stopping as soon as the chosen bin holds exactly the keys still needed. key(i)
// reads the i-th key; every thread gets the result. Needs k <= the count of nonzero keys.
template <typename KeyAt>
__device__ Key select_threshold(KeyAt key, int n, int k, unsigned int* hist, Key* chosen, unsigned int* needed) {
    Key prefix = 0, mask = 0;
    unsigned int remaining = k;
    for (int shift = 56; shift >= 0; shift -= 8) {
        if (threadIdx.x < 256) hist[threadIdx.x] = 0;
        __syncthreads();
        for (int base = 0; base < n; base += THREADS) {
            const int i = base + threadIdx.x;
            const Key v = i < n ? key(i) : 0;
            const bool in = v != 0 && (v & mask) == prefix;
            const unsigned int bin = in ? (unsigned int)(v >> shift) & 0xffu : 256u;
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
                const unsigned int up = __shfl_up_sync(0xffffffffu, incl, o);
                if ((int)threadIdx.x >= o) incl += up;
            }
            const unsigned int excl = incl - local;
            if (excl < remaining && incl >= remaining) {
                unsigned int above = excl;
                for (int b = 0; b < 8; b++) {
                    const unsigned int bin = 255 - 8 * threadIdx.x - b, c = hist[bin];
                    if (above + c >= remaining) {
                        *chosen = prefix | ((Key)bin << shift);
                        *needed = above + c == remaining ? 0u : remaining - above; // 0: the whole bin is in
                        break;
                    }
                    above += c;
                }
            }
        }
        __syncthreads();
        prefix = *chosen;
        mask |= (Key)0xff << shift;
        remaining = *needed;
        __syncthreads();
        if (remaining == 0) break;
    }
    return prefix; // the kept keys are exactly those >= prefix
}

// Key v into kept (counted in *count) where it is at or above bound b.
__device__ __forceinline__ void keep_if_above(Key v, Key b, Key* kept, unsigned int* count) {
    if (v != 0 && v >= b) {
        const unsigned int at = atomicAdd(count, 1u);
        if (at < MAX_KEPT) kept[at] = v;
    }
}

// The *count kept keys (after keep_if_above), each ranked by counting the others above it: out(rank, key) for those
// ranked below k. False, having called nothing, where more than MAX_KEPT were kept. Its barrier orders the keeping.
template <typename Out>
__device__ bool rank_kept(const Key* kept, const unsigned int* count, int k, Out out) {
    __syncthreads();
    const int survivors = (int)*count;
    if (survivors > MAX_KEPT) return false;
    if ((int)threadIdx.x < survivors) {
        const Key v = kept[threadIdx.x];
        int above = 0;
#pragma unroll 8
        for (int j = 0; j < survivors; j++) above += kept[j] > v;
        if (above < k) out(above, v);
    }
    return true;
}

// The keys of the n in shared memory (nonzero keys unique, zeros none) at or above bound b, each ranked by counting the
// others above it: every key above a kept one is kept too, so where b is at most the k-th largest key the ranks below k
// are exact, and out(rank, key) is called once for each of them, by one thread (rank 0 the largest). *count must be 0,
// and stay unread by other code until the caller's next barrier; returns false, having called nothing, where more
// than MAX_KEPT keys are kept. One block barrier; the caller's last one must follow its own reads of count.
template <typename Out>
__device__ bool keep_and_rank(const Key* keys, int n, int k, Key b, Key* kept, unsigned int* count, Out out) {
    for (int i = threadIdx.x; i < n; i += THREADS) keep_if_above(keys[i], b, kept, count);
    return rank_kept(kept, count, k, out);
}

// A bound at most the k-th largest of the values the block's threads hold (HELD each; zeros none): each warp's R largest
// values (R = k / WARPS rounded up, by repeated warp maxima over the values its threads hold) form a pool, whose k-th
// largest is at or below the values' k-th largest (1 where the pool holds fewer than k), without the radix select's
// passes of four block barriers each. Equal values may be pooled once for several (every holder of a round's maximum
// drops it), which keeps the pool a subset. In two parts, so that a caller may wait for its copies between them:
// pool_rounds fills the pool (no barrier; false, having written nothing, where a warp would take more than MAX_ROUNDS;
// takes the held values, zeroing those pooled), pool_kth ranks it (two block barriers). *count is zeroed for
// keep_if_above. V: 64-bit keys, or a key's high word alone (its logit's order, one redux.sync a round, not two).
__device__ __forceinline__ Key warp_max(Key v) { return warp_max_key(v); }
__device__ __forceinline__ unsigned int warp_max(unsigned int v) { return warp_max_u32(v); }

// Each warp's share of the pool for the k largest: k / WARPS rounded up.
__device__ __forceinline__ int pool_share(int k) { return (k + WARPS - 1) / WARPS; }

template <typename V, int HELD>
__device__ bool pool_rounds(V (&held)[HELD], int k, V* pool, unsigned int* count, V* bound) {
    const int rounds = pool_share(k);
    if (rounds > MAX_ROUNDS) return false;
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (threadIdx.x == 0) { *count = 0; *bound = 1; }
    for (int r = 0; r < rounds; r++) {
        V top = 0;
#pragma unroll
        for (int j = 0; j < HELD; j++) top = held[j] > top ? held[j] : top;
        top = warp_max(top);
#pragma unroll
        for (int j = 0; j < HELD; j++) if (held[j] == top) held[j] = 0;
        if (lane == 0) pool[warp * rounds + r] = top;
    }
    return true;
}

template <typename V>
__device__ void pool_kth(int k, const V* pool, V* bound) {
    __syncthreads();
    const int pooled = WARPS * pool_share(k);
    if (threadIdx.x < pooled) {
        const V v = pool[threadIdx.x];
        int above = 0, same = 0;
#pragma unroll 8
        for (int j = 0; j < pooled; j++) {
            above += pool[j] > v;
            same += pool[j] == v;
        }
        if (v != 0 && above < k && above + same >= k) *bound = v; // equal values write the same
    }
    __syncthreads();
}

// The bound over the n keys key(i), a thread holding keys threadIdx.x + j THREADS, both parts in turn: false where
// n > HELD x THREADS or pool_rounds declines.
template <int HELD, typename KeyAt>
__device__ bool pool_bound(KeyAt key, int n, int k, Key* pool, unsigned int* count, Key* bound) {
    if (n > HELD * THREADS) return false;
    Key held[HELD];
#pragma unroll
    for (int j = 0; j < HELD; j++) {
        const int i = threadIdx.x + j * THREADS;
        held[j] = i < n ? key(i) : 0;
    }
    if (!pool_rounds<Key, HELD>(held, k, pool, count, bound)) return false;
    pool_kth(k, pool, bound);
    return true;
}

// The k largest of the n keys in shared memory (nonzero keys unique, zeros none): out(rank, key) is called once for each
// of them, by one thread, with its rank (0 the largest); returns false, having called nothing, where this way does not
// apply (then the radix select). The keys at or above pool_bound's bound are kept, usually few more than k, and ranked
// as keep_and_rank does. Three block barriers; the caller's last one must follow its own reads of count and bound. A
// thread holds HELD keys: n up to HELD x THREADS.
template <int HELD, typename Out>
__device__ bool top_k_by_count(const Key* keys, int n, int k, Key* pool, Key* kept, unsigned int* count, Key* bound, Out out) {
    if (!pool_bound<HELD>([&](int i) { return keys[i]; }, n, k, pool, count, bound)) return false;
    const Key b = *bound;
    // The keys this thread holds, unrolled: measured 0.25..0.5 us faster than a strided loop (32-block top-50).
#pragma unroll
    for (int j = 0; j < HELD; j++) {
        const int i = threadIdx.x + j * THREADS;
        keep_if_above(i < n ? keys[i] : 0, b, kept, count);
    }
    return rank_kept(kept, count, k, out);
}

// The same over the lm_head's block keys (BLOCK_KEYS a block, largest first, zeros last; by rank, common.cuh), bounded
// from the blocks' best keys alone, which the threads hold (blocks threadIdx.x + j THREADS): their k-th largest is at
// most the k-th largest of all, and a block whose best is below the bound has no key above it (measured on the stamped
// draw: the selection was 4.0 of its 5.7 us, and half the keys, 64-row blocks, took 1.2 us off). The other keys are read
// from shared memory, where the caller's copies of them (one group, this thread's) may still be landing until the pool
// is filled. Each warp reserves its kept keys' places with one shared atomic (its lanes' counts summed by shuffles).
template <int HELD, typename Out>
__device__ bool top_k_of_blocks(const Key (&best)[HELD], const Key* keys, int stride, int k, Key* pool, Key* kept, unsigned int* count,
                                Key* bound, Out out) {
    // The pool of the best keys' high words: a bound on the logit, every key of at least that logit kept.
    unsigned int pooled[HELD];
#pragma unroll
    for (int j = 0; j < HELD; j++) pooled[j] = (unsigned int)(best[j] >> 32);
    unsigned int* const pool_words = reinterpret_cast<unsigned int*>(pool);
    unsigned int* const bound_word = reinterpret_cast<unsigned int*>(bound);
    if (!pool_rounds<unsigned int, HELD>(pooled, k, pool_words, count, bound_word)) return false;
    await_copies<0>(); // the pool's barrier then publishes every thread's copies
    pool_kth(k, pool_words, bound_word);
    const Key b = (Key)*bound_word << 32;
    Key blocks[HELD][BLOCK_KEYS]; // the held blocks' keys, where a block's best is at or above b (zeros else)
    unsigned int mine = 0;        // this thread's keys at or above b (zeros are below: b >= 1)
#pragma unroll
    for (int j = 0; j < HELD; j++) {
        const int block = threadIdx.x + j * THREADS;
#pragma unroll
        for (int e = 0; e < BLOCK_KEYS; e++) {
            blocks[j][e] = best[j] < b ? 0 : e == 0 ? best[j] : keys[e * stride + block];
            mine += blocks[j][e] >= b;
        }
    }
    const unsigned int lane = threadIdx.x & 31;
    unsigned int through = mine; // the warp's kept keys up to this lane's
#pragma unroll
    for (int o = 1; o < 32; o <<= 1) {
        const unsigned int below = __shfl_up_sync(0xffffffffu, through, o);
        if (lane >= (unsigned int)o) through += below;
    }
    const unsigned int warp_kept = __shfl_sync(0xffffffffu, through, 31);
    if (warp_kept > 0) {
        unsigned int at = 0;
        if (lane == 31) at = atomicAdd(count, warp_kept);
        at = __shfl_sync(0xffffffffu, at, 31) + through - mine;
#pragma unroll
        for (int j = 0; j < HELD; j++)
#pragma unroll
            for (int e = 0; e < BLOCK_KEYS; e++)
                if (blocks[j][e] >= b) {
                    if (at < MAX_KEPT) kept[at] = blocks[j][e];
                    at++;
                }
    }
    return rank_kept(kept, count, k, out);
}

// state: [0] current token (the next step's input), [1] its position, [2] the step counter.
// seed_ptr: the sample's seed, in device memory so one captured graph serves every sample.
// candidates: gridDim.x * per_block keys; per_block = min(k, chunk) for top-k, else 1.
extern "C" __global__ void __launch_bounds__(THREADS) sample_token(
    const float* __restrict__ logits, int V, int greedy, float inv_temperature, int top_k,
    const unsigned long long* __restrict__ seed_ptr, int* __restrict__ state, int* __restrict__ history,
    volatile int* __restrict__ host_ring, int ring_capacity, Key* __restrict__ candidates, unsigned int* __restrict__ counter,
    const Key* __restrict__ block_keys, int rows_per_block) {
    __shared__ __align__(16) Key keys[MAX_STAGED]; // 16-byte copies land in it
    __shared__ Key scratch[32];
    __shared__ unsigned int hist[256];
    __shared__ Key chosen, bound, pool[WARPS * MAX_ROUNDS], kept[MAX_KEPT];
    __shared__ unsigned int needed, written, count, unsure_count;
    __shared__ bool last;
    __shared__ Key top[MAX_CHOSEN], unsure[MAX_CHOSEN];
    wait_for_previous_kernel();
    allow_next_kernel();

    const int chunk = (V + gridDim.x - 1) / gridDim.x;
    const int c0 = blockIdx.x * chunk, n = max(0, min(V, c0 + chunk) - c0);
    const bool top_k_mode = !greedy && top_k > 0 && top_k < V;
    const int per_block = top_k_mode ? min(top_k, chunk) : 1;
    const int step = state[2];
    const unsigned long long seed = *seed_ptr;

    // Key k's race key: its score, and its token.
    const auto race = [&](Key k) {
        const int t = token_of(k);
        return make_key(race_score(from_order_bits((unsigned int)(k >> 32)), inv_temperature, seed, step, t), t);
    };
    // The race among the top k of `total` keys, key(i) the i-th (`staged`: the same keys in shared memory, or null): by
    // counting where it applies (each kept key's thread races it), from `known` (a key at most the k-th largest, with
    // count zeroed; 0 where none is known) or else from top_k_by_count's pool, else over the keys at or above the radix
    // select's threshold. Returns the token.
    const auto race_top_k = [&](const Key* staged, auto key, int total, Key known) {
        Key best = 0;
        const auto race_kept = [&](int, Key k) { best = race(k); };
        bool ranked = false;
        if (staged != nullptr && known != 0) {
            ranked = keep_and_rank(staged, total, top_k, known, kept, &count, race_kept);
            if (!ranked) __syncthreads(); // every thread has read count before top_k_by_count zeroes it
        }
        if (!ranked) ranked = staged != nullptr && top_k_by_count<MAX_HELD>(staged, total, top_k, pool, kept, &count, &bound, race_kept);
        if (!ranked) {
            const Key threshold = select_threshold(key, total, top_k, hist, &chosen, &needed);
            for (int i = threadIdx.x; i < total; i += THREADS) {
                const Key k = key(i);
                if (k == 0 || k < threshold) continue;
                const Key r = race(k);
                best = r > best ? r : best;
            }
        }
        return token_of(block_max(best, scratch));
    };
    // The token to the next step's input, the token history and the host's ring.
    const auto finish = [&](int token) {
        if (threadIdx.x != 0) return;
        state[0] = token;
        state[1] += 1;
        state[2] = step + 1;
        history[step] = token;
        *counter = 0;
        // A posted write over PCIe that reaches the host within a microsecond or so: no system fence, which would hold
        // this thread, and so the grid's end and the next step, for the write's round trip.
        if (step < ring_capacity) host_ring[step] = token;
    };

    // One block, from the best BLOCK_KEYS keys the lm_head wrote for each of its blocks of rows_per_block rows: one load
    // of them all, then the top k of those, where the path below has 32 blocks each select among its 1,571 logits, then
    // a fence, an atomic and a last block's selection among their candidates. A block's keys are its best rows', so the
    // top k of all the blocks' keys are the top k logits unless a block holds more than BLOCK_KEYS of those, and then
    // that block's last key is among the chosen. A block whose last key is chosen is unsure: its other rows are read and
    // ranked with the chosen keys (rare: with the top 50 placed at random, 4 share a block of 32 rows once in ~17,000 steps).
    // TokenSampler.FromBlockKeys says where this applies.
    if (block_keys != nullptr) {
        const int blocks = (V + rows_per_block - 1) / rows_per_block, stride = block_key_stride(blocks), n = BLOCK_KEYS * stride;
        // Thread t takes blocks t + j THREADS. Their best keys into registers, that run loaded coalesced, every
        // load issued before any is used: a third of the keys' bytes, all that greedy and top-k's pool need (measured:
        // the 37.7 KB of all the keys took ~2,000 cycles to load even coalesced, ~19 bytes a cycle into one SM).
        Key block_best[BLOCK_HELD];
        const auto load_best = [&] {
#pragma unroll
            for (int j = 0; j < BLOCK_HELD; j++) {
                const int block = threadIdx.x + j * THREADS;
                block_best[j] = block < blocks ? __ldcg(block_keys + block) : 0;
            }
        };
        if (!top_k_mode) { // greedy: the best block key is the best logit's
            load_best();
            Key top = 0;
#pragma unroll
            for (int j = 0; j < BLOCK_HELD; j++) top = block_best[j] > top ? block_best[j] : top;
            finish(token_of(block_max_once(top, scratch)));
            return;
        }
        // The second and third keys of every block into shared memory while the best ones load and are pooled (cp.async,
        // 16 bytes a copy, landed by top_k_of_blocks' pool barrier); the best ones staged beside them (zeros in the gap)
        // for the unsure blocks' check and the radix select, which read them by index after barriers.
        for (int c = threadIdx.x; c < stride; c += THREADS) copy16(keys + stride + 2 * c, block_keys + stride + 2 * c);
        commit_copies();
        load_best();
#pragma unroll
        for (int j = 0; j < BLOCK_HELD; j++) {
            const int block = threadIdx.x + j * THREADS;
            if (block < stride) keys[block] = block_best[j];
        }
        if (threadIdx.x == 0) { written = 0; unsure_count = 0; }
        // The key of rank r into top, and raced; where it is its block's last, into unsure too.
        Key best = 0;
        const auto choose = [&](int rank, Key key) {
            top[rank] = key;
            const Key r = race(key);
            best = r > best ? r : best;
            if (key == keys[(BLOCK_KEYS - 1) * stride + token_of(key) / rows_per_block]) unsure[atomicAdd(&unsure_count, 1u)] = key;
        };
        if (!top_k_of_blocks<BLOCK_HELD>(block_best, keys, stride, top_k, pool, kept, &count, &bound, choose)) {
            await_copies<0>(); // select_threshold's first barrier publishes them
            const Key threshold = select_threshold([&](int i) { return keys[i]; }, n, top_k, hist, &chosen, &needed);
            for (int i = threadIdx.x; i < n; i += THREADS)
                if (keys[i] >= threshold) choose((int)atomicAdd(&written, 1u), keys[i]); // exactly top_k of them, in no order
        }
        const Key winner = block_max_once(best, scratch); // its barrier follows every choice
        const int unsure_blocks = (int)unsure_count;
        if (unsure_blocks == 0) { // the chosen are the top k: the race is run
            finish(token_of(winner));
            return;
        }
        // The chosen keys and the unsure blocks' other rows (those below the block's last key), ranked from the least
        // chosen key: it is at most the k-th largest logit, and every row at or above it is one of these.
        Key least = top[0];
        for (int r = 1; r < top_k; r++) least = top[r] < least ? top[r] : least;
        const int total = top_k + unsure_blocks * rows_per_block;
        for (int e = threadIdx.x; e < total; e += THREADS) {
            if (e < top_k) { keys[e] = top[e]; continue; }
            const Key last_key = unsure[(e - top_k) / rows_per_block];
            const int t = token_of(last_key) / rows_per_block * rows_per_block + (e - top_k) % rows_per_block;
            const Key k = t < V ? make_key(__ldcg(logits + t), t) : 0;
            keys[e] = k < last_key ? k : 0; // the block's keys down to its last are among the chosen already
        }
        if (threadIdx.x == 0) count = 0;
        __syncthreads();
        finish(race_top_k(keys, [&](int i) { return keys[i]; }, total, least));
        return;
    }

    // Phase 1: this block's candidates. Greedy and the top-k set rank by logit; the race over every
    // token ranks by race score, so only the block's winner goes on.
    Key* mine = candidates + (size_t)blockIdx.x * per_block;
    if (per_block == 1) {
        Key best = 0;
#pragma unroll 4
        for (int i = threadIdx.x; i < n; i += THREADS) {
            const float logit = logits[c0 + i];
            const Key k = make_key(greedy || top_k_mode ? logit : race_score(logit, inv_temperature, seed, step, c0 + i), c0 + i);
            best = k > best ? k : best;
        }
        best = block_max(best, scratch);
        if (threadIdx.x == 0) mine[0] = best;
    } else {
#pragma unroll 4
        for (int i = threadIdx.x; i < n; i += THREADS) keys[i] = make_key(logits[c0 + i], c0 + i);
        if (threadIdx.x == 0) written = 0;
        __syncthreads();
        // Exactly per_block keys, in rank order, where counting applies; else the radix select's threshold.
        const bool ranked = n > per_block &&
                            top_k_by_count<MAX_HELD>(keys, n, per_block, pool, kept, &count, &bound, [&](int rank, Key key) { mine[rank] = key; });
        if (!ranked) {
            const Key threshold = n > per_block ? select_threshold([&](int i) { return keys[i]; }, n, per_block, hist, &chosen, &needed) : 1;
            for (int i = threadIdx.x; i < n; i += THREADS)
                if (keys[i] >= threshold) mine[atomicAdd(&written, 1u)] = keys[i];
            __syncthreads();
            for (int i = (int)(written + threadIdx.x); i < per_block; i += THREADS) mine[i] = 0;
        }
    }

    // The last block to finish picks the token.
    __threadfence();
    __syncthreads();
    if (threadIdx.x == 0) last = atomicAdd(counter, 1u) == gridDim.x - 1;
    __syncthreads();
    if (!last) return;
    __threadfence();
    const int total = gridDim.x * per_block;
    if (per_block == 1) {
        Key best = 0;
#pragma unroll 4
        for (int i = threadIdx.x; i < total; i += THREADS) { const Key k = __ldcg(candidates + i); best = k > best ? k : best; }
        finish(token_of(block_max(best, scratch)));
        return;
    }
    const bool staged = total <= MAX_STAGED;
    if (staged) {
#pragma unroll 8
        for (int i = threadIdx.x; i < total; i += THREADS) keys[i] = __ldcg(candidates + i);
    }
    __syncthreads();
    finish(race_top_k(staged ? keys : nullptr, [&](int i) { return staged ? keys[i] : __ldcg(candidates + i); }, total, 0));
}
