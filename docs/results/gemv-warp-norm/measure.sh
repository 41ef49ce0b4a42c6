#!/usr/bin/env bash
# On the GPU machine: the gemv's LayerNorm statistics taken by every warp over the whole of x (its reloads hit L1), so
# the normalised values are written at once, with no block reduction between staging and normalising (warp-norm.patch,
# on ee6a0bd's one-reduction LayerNorm: one barrier and one pass over shared memory fewer in every lm_head block).
# Here first: scripts/gpu-bundle; scripts/variant warpnorm docs/results/gemv-warp-norm/warp-norm.patch; carry .bundle
# and .variants. 1. the gemv check, one round; 2. if it passed: decode, ROUNDS rounds (default 2).
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=warpnorm=.variants/warpnorm/gemv.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-ab --rounds 1 base $V -- check-kernels gpt2 gemv > $OUT/gemv-ab.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_ln|FAIL|rror:" $OUT/gemv-ab.txt | cut -c1-120
if [ -n "$(scripts/check-gate $OUT/gemv-ab.txt '^ *ok' $V)" ]; then
  scripts/decode-ab fused-ab "${ROUNDS:-2}" 90 $V
else
  echo "warpnorm failed the gemv check: no decode"
fi
date -u
