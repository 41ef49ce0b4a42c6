#!/usr/bin/env bash
# On the GPU machine: the draw's ranks counted by runs of lanes (ranks.patch) against HEAD. 1. the sampling check (every
# draw against softmax(top-k / T); the one-block draw's time), two rounds; 2. if it passed: decode, two rounds.
# Here first: scripts/gpu-bundle; scripts/variant rank docs/results/draw-ranks-parallel/ranks.patch; carry .bundle and
# .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=rank=.variants/rank/sampling.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 2 base $V -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|one block|FAIL|rror:" $OUT/sampling-ab.txt | sed -E 's/ \(20000 draws.*\) error/ error/' | cut -c1-150
if [ -n "$(scripts/check-gate $OUT/sampling-ab.txt '^ *ok' $V)" ]; then
  scripts/decode-ab fused-ab 2 90 $V
else
  echo "rank failed the sampling check: no decode"
fi
date -u
