#!/usr/bin/env bash
# On the GPU machine: ln_f folded into the lm_head (lm-head-fold.patch) against HEAD. 1. the gemv check (the lm_head's
# logits against LayerNorm + matmul in TorchSharp, its block keys exact; the lm_head alone timed), one round; 2. if it
# passed: the step check and timing, two rounds; 3. decode, two rounds.
# Here first: scripts/gpu-bundle; scripts/variant lmfold docs/results/lm-head-folded-norm/lm-head-fold.patch; carry
# .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=lmfold=.variants/lmfold/gemv.cu,.variants/lmfold/common.cuh,.variants/lmfold/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-ab --rounds 1 base $V -- check-kernels gpt2 gemv > $OUT/gemv-ab.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_ln_[0-9] |FAIL|rror:" $OUT/gemv-ab.txt | cut -c1-130
if [ -z "$(scripts/check-gate $OUT/gemv-ab.txt '^ *ok' $V)" ]; then echo "lmfold failed the gemv check: nothing more"; exit 0; fi
timeout 120 scripts/gpu-ab --rounds 2 base $V -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|rror:|positions 0..400|without the lm_head" $OUT/step-ab.txt | cut -c1-170
[ -n "$(scripts/check-gate $OUT/step-ab.txt 'positions 0..400' $V)" ] && scripts/decode-ab fused-ab 2 90 $V
date -u
