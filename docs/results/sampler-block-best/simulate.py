"""The one-block draw of sampler-block-best.patch on the CPU: the top k logits of GPT-2's 50,257 are exactly the top k of
the rows of the k lm_head blocks (32 rows each) with the best block keys, whatever the logits (Gaussian at several
scales, rounded to make many ties, all equal, the best ones crowded into one block). Keys as common.cuh's make_key:
(logit, -token), larger is better, so ties go to the smaller token.

    python3 docs/results/sampler-block-best/simulate.py
"""
import random

V, ROWS = 50257, 32


def top_k(keys, k):
    return sorted(keys, reverse=True)[:k]


def one_block_draw_set(logits, k):
    keys = [(x, -t) for t, x in enumerate(logits)]
    blocks = [max(keys[b * ROWS:(b + 1) * ROWS]) for b in range((V + ROWS - 1) // ROWS)]
    chosen = [-key[1] // ROWS for key in top_k(blocks, k)]  # the block of each of the k best block keys
    rows = [keys[t] for b in chosen for t in range(b * ROWS, min(V, (b + 1) * ROWS))]
    return top_k(rows, k), top_k(keys, k)


def main():
    random.seed(3)
    cases = 0
    for trial in range(40):
        k = random.choice([1, 2, 10, 50, 64, 78])
        scale = random.choice([0.01, 1, 3, 100])
        logits = [random.gauss(0, scale) for _ in range(V)]
        if trial % 5 == 1:
            logits = [round(x) for x in logits]  # many ties
        if trial % 5 == 2:
            logits = [1.0] * V  # all equal: the k smallest tokens
        if trial % 5 == 3:
            for t in range(64, 96):
                logits[t] = 1e6 + t  # the best 32 in one block
        got, want = one_block_draw_set(logits, k)
        assert got == want, (trial, k)
        cases += 1
    print(f"{cases} cases: the k best blocks' rows hold exactly the top k every time")


if __name__ == "__main__":
    main()
