#!/usr/bin/env bash
# On the GPU machine: the bf16 lm_head at GPT-2 small's width with 3 vectors a lane and 3 blocks an SM (gemv_ln_3, 80
# registers) instead of 4 vectors (the 4th all zeros) and 2 blocks (gemv_ln_4, 100 registers) (lmh3:
# lm-head-three-blocks.patch), against HEAD. Here first: scripts/gpu-bundle; scripts/variant lmh3
# docs/results/lm-head-three-blocks/lm-head-three-blocks.patch; carry .bundle and .variants.
# 1. the gemv check (the lm_head's logits and block keys exact, and its time), base against lmh3, one round;
# 2. if every check of lmh3 passed: decode through the orchestrator, two rounds, alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=lmh3=.variants/lmh3/gemv.cu,.variants/lmh3/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 70 scripts/gpu-ab --rounds 1 base $V -- check-kernels gpt2 gemv > $OUT/gemv-ab.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_ln_[234] |FAIL|rror:" $OUT/gemv-ab.txt | cut -c1-170
if awk '/^=== lmh3 /{p=1; next} /^=== /{p=0} p&&/FAIL|Exception|rror:/{bad++} p&&/^ *ok/{ok++} END{exit !(ok>0 && bad==0)}' $OUT/gemv-ab.txt; then
  scripts/decode-ab fused-ab 2 80 $V
else
  echo "lmh3 failed a check: no decode"
fi
date -u
