#!/usr/bin/env bash
# On the GPU machine: the gemv's LayerNorm statistics in one block reduction of (sum, sum of squares), as the layer
# kernel has them, instead of the mean's reduction then the variance's (one-pass-norm.patch). Every lm_head block
# renormalises ln_f's input, and Nsight Compute put the int8 lm_head's stalls on that prologue (17.6% of samples at the
# reductions' adds; ../lm-head-int8-stalls/). Here first: scripts/gpu-bundle; scripts/variant onepass
# docs/results/gemv-one-pass-norm/one-pass-norm.patch; carry .bundle and .variants.
# 1. the gemv check (logits and block keys exact, each product's time), one round; 2. if it passed: decode, two rounds;
# 3. the step check, one round (last: the device time is short).
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=onepass=.variants/onepass/gemv.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-ab --rounds 1 base $V -- check-kernels gpt2 gemv > $OUT/gemv-ab.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_|FAIL|rror:" $OUT/gemv-ab.txt | cut -c1-120
if awk '/^=== onepass /{p=1; next} /^=== /{p=0} p&&/FAIL|Exception|rror:/{bad++} p&&/^ *ok/{ok++} END{exit !(ok>0 && bad==0)}' $OUT/gemv-ab.txt; then
  scripts/decode-ab fused-ab 2 90 $V
  timeout 70 scripts/gpu-ab --rounds 1 base $V -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
  grep -E "^===|FAIL|rror:|positions 0..400|its share" $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-170
else
  echo "onepass failed the gemv check: no decode"
fi
date -u
