"""The selection of top-k-by-count.patch (sampling.cu's top_k_by_count), step by step as a block of THREADS threads
runs it, on the CPU: checks that wherever it applies it returns exactly the k largest keys in rank order, in both of
sample_token's phases (each block's chunk of GPT-2's 50,257 logits, then the blocks' candidates), and counts the keys
it ranks and how often it falls back to the radix select. Keys are the logits' ranks + 1 (unique, order-preserving; 0
is no key), as the kernel's 64-bit keys are.

    python3 docs/results/sampler-count/simulate.py
"""
import random

THREADS, WARPS, MAX_HELD, MAX_ROUNDS, MAX_KEPT = 512, 16, 4, 8, 512


def top_k_by_count(keys, k):
    """(the k largest in rank order, keys ranked), or (None, keys ranked) where the kernel falls back."""
    n = len(keys)
    rounds = (k + WARPS - 1) // WARPS
    if rounds > MAX_ROUNDS or n > MAX_HELD * THREADS:
        return None, 0
    held = [[keys[t + j * THREADS] if t + j * THREADS < n else 0 for j in range(MAX_HELD)] for t in range(THREADS)]
    pool = []
    for w in range(WARPS):  # each warp's `rounds` largest, by repeated warp maxima
        for _ in range(rounds):
            top = max(max(held[t]) for t in range(32 * w, 32 * w + 32))
            for t in range(32 * w, 32 * w + 32):
                held[t] = [0 if h == top else h for h in held[t]]
            pool.append(top)
    bound = 1  # the pool's k-th largest, where it holds k keys
    for v in pool:
        if v != 0 and sum(p > v for p in pool) == k - 1:
            bound = v
    kept = [v for v in keys if v != 0 and v >= bound]
    if len(kept) > MAX_KEPT:
        return None, len(kept)
    ranked = {sum(x > v for x in kept): v for v in kept}
    return [ranked[r] for r in sorted(ranked) if r < k], len(kept)


def main():
    random.seed(1)
    V, blocks = 50257, 32
    chunk = (V + blocks - 1) // blocks
    kept_counts, fallbacks, calls = [], 0, 0
    for trial in range(60):
        k = random.choice([50, 50, 50, 10, 1, 2, 40, 64, 100, 128])
        logits = [random.gauss(0, random.choice([1, 3, 0.01, 100])) for _ in range(V)]
        if trial % 7 == 0:
            logits = [round(x) for x in logits]  # many equal logits: the token id breaks the ties
        order = sorted(range(V), key=lambda i: (logits[i], -i))
        keys = [0] * V
        for r, i in enumerate(order):
            keys[i] = r + 1
        candidates = []
        for b in range(blocks):  # phase 1
            mine = keys[b * chunk:(b + 1) * chunk]
            per_block = min(k, len(mine))
            best = sorted(mine, reverse=True)[:per_block]
            if len(mine) > per_block:
                calls += 1
                got, ranked = top_k_by_count(mine, per_block)
                if got is None:
                    fallbacks += 1
                else:
                    assert got == best, f"phase 1, k={k}"
                    kept_counts.append(ranked)
            candidates += best
        calls += 1  # phase 2, the last block
        got, ranked = top_k_by_count(candidates, k)
        if got is None:
            fallbacks += 1  # k > 64: 32 x k candidates are more than a block's threads hold
        else:
            assert got == sorted(keys, reverse=True)[:k], f"phase 2, k={k}"
            kept_counts.append(ranked)
    kept_counts.sort()
    print(f"exact wherever it applies: {calls - fallbacks} of {calls} selections, {fallbacks} fell back; "
          f"keys ranked: median {kept_counts[len(kept_counts) // 2]}, most {kept_counts[-1]}")


if __name__ == "__main__":
    main()
