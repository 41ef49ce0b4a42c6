#!/usr/bin/env bash
# On the GPU machine: the one-block draw bounding its top k from the lm_head blocks' best keys alone (1,571 of them, 4 a
# thread) instead of all 4,713 block keys (10 a thread) (draw-block-bound.patch), against HEAD. Here first:
# scripts/gpu-bundle; scripts/variant blockbound docs/results/draw-block-bound/draw-block-bound.patch; carry .bundle and
# .variants.
# 1. the sampling check (every draw against softmax(top-k / T), the clustered case's gathering path too), base against
#    blockbound, one round;
# 2. if every check of blockbound passed: decode through the orchestrator, two rounds, alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
B=blockbound=.variants/blockbound/sampling.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 70 scripts/gpu-ab --rounds 1 base $B -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|one block|FAIL|rror:" $OUT/sampling-ab.txt | sed 's/ (20000 draws.*noise [0-9.]*)//' | cut -c1-170
if awk '/^=== blockbound /{p=1; next} /^=== /{p=0} p&&/FAIL|Exception|rror:/{bad++} p&&/^ *ok/{ok++} END{exit !(ok>0 && bad==0)}' $OUT/sampling-ab.txt; then
  scripts/decode-ab fused-ab 2 100 $B
else
  echo "blockbound failed a check: no decode"
fi
date -u
