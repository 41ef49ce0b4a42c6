#!/usr/bin/env python3
# Simulates sampling.cu's one-block draw with top_k_of_blocks (draw-block-bound.patch) on the host: the pool of each
# warp's best maxima as the threads hold them, the bound, the keys kept, the chosen k, the unsure blocks' gather; checks
# the chosen set against the true top k over random, clustered (top k in two blocks) and spiked logits, k = 1..128, and
# counts the keys kept against MAX_KEPT. Plain Python (~7 s): python3 simulate.py
import random, struct
THREADS, WARPS, BLOCK_KEYS, ROWS, MAX_KEPT, MAX_ROUNDS, HELD = 512, 16, 3, 32, 512, 8, 4
def order_bits(f):
    u = struct.unpack('<I', struct.pack('<f', f))[0]
    return int((~u) & 0xffffffff) if u & 0x80000000 else int(u | 0x80000000)
def key(f, t): return (order_bits(f) << 32) | (0xffffffff - t)
def block_keys(logits):
    V = len(logits); blocks = (V + ROWS - 1) // ROWS; out = []
    for b in range(blocks):
        ks = sorted((key(logits[t], t) for t in range(b*ROWS, min(V, (b+1)*ROWS))), reverse=True)[:BLOCK_KEYS]
        out += ks + [0]*(BLOCK_KEYS-len(ks))
    return out
def pool_bound(vals, k):
    rounds = (k + WARPS - 1)//WARPS
    n = len(vals)
    if rounds > MAX_ROUNDS or n > HELD*THREADS: return None
    pool = []
    for w in range(WARPS):
        mine = [vals[t + j*THREADS] for t in range(w*32, w*32+32) for j in range(HELD) if t + j*THREADS < n]
        mine = sorted(mine, reverse=True) + [0]*rounds
        pool += mine[:rounds]
    pool_sorted = sorted(pool, reverse=True)
    b = 1
    for v in pool:  # the thread whose key has k-1 above it
        if v != 0 and sum(1 for x in pool if x > v) == k-1: b = v
    return b
def draw_set(keys, k, logits):
    blocks = len(keys)//BLOCK_KEYS
    b = pool_bound([keys[BLOCK_KEYS*i] for i in range(blocks)], k)
    assert b is not None
    kept = [keys[BLOCK_KEYS*i+e] for i in range(blocks) if keys[BLOCK_KEYS*i] >= b for e in range(BLOCK_KEYS)
            if keys[BLOCK_KEYS*i+e] != 0 and keys[BLOCK_KEYS*i+e] >= b]
    if len(kept) > MAX_KEPT: return None, len(kept), b
    chosen = sorted(kept, reverse=True)[:k]
    unsure = [c for c in chosen if c == keys[BLOCK_KEYS*((0xffffffff - (c & 0xffffffff))//ROWS) + BLOCK_KEYS-1]]
    if unsure:  # gather: the chosen plus the unsure blocks' rows below their last key, ranked
        extra = []
        for u in unsure:
            blk = (0xffffffff - (u & 0xffffffff))//ROWS
            for t in range(blk*ROWS, min(len(logits), (blk+1)*ROWS)):
                kk = key(logits[t], t)
                if kk < u: extra.append(kk)
        chosen = sorted(chosen + extra, reverse=True)[:k]
    return set(chosen), len(kept), b
rng = random.Random(7)
f32 = lambda x: struct.unpack('<f', struct.pack('<f', x))[0]
V = 50257; worst = 0; cases = 0; gathers = 0
for trial in range(30):
    logits = [rng.gauss(0, 3) for _ in range(V)]
    if trial % 3 == 1: logits[:64] = [x + 20 for x in logits[:64]]   # clustered: the top k in two blocks
    if trial % 3 == 2:
        for t in [rng.randrange(V) for _ in range(200)]: logits[t] += 8  # a few hundred raised at random
    logits = [f32(x) for x in logits]
    keys = block_keys(logits)
    truth_all = sorted((key(logits[t], t) for t in range(V)), reverse=True)
    for k in (1, 2, 50, 100, 128):
        got, kept, b = draw_set(keys, k, logits)
        assert got is not None, (trial, k, kept)
        assert got == set(truth_all[:k]), (trial, k)
        worst = max(worst, kept); cases += 1
print(f"{cases} draws exact; most keys kept {worst} (MAX_KEPT {MAX_KEPT})")
stats = {}
rng2 = random.Random(11)
for trial in range(30):
    logits = [f32(rng2.gauss(0, 3)) for _ in range(V)]
    keys = block_keys(logits)
    for k in (50, 128):
        got, kept, b = draw_set(keys, k, logits)
        stats.setdefault(k, []).append(kept)
for k, v in stats.items(): print(f"random logits, top-{k}: keys kept median {sorted(v)[len(v)//2]}, most {max(v)} of 30")
