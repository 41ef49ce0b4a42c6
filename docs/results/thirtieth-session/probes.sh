#!/usr/bin/env bash
# On the GPU machine: three variants against HEAD, in one A/B (they change different kernels):
#   gainreg   ../lm-head-prologue/gain-in-register.patch: the lm_head's ln_f gain in a register, in flight while it waits
#   gainfour  the same and ../lm-head-prologue/four-blocks.patch: int8's lm_head at 4 blocks an SM, not 3
#   scalereg  ../int8-piece-scale-held/scale-held.patch: int8's projection-piece scales held a phase ahead, stored
#             after the QKV products instead of before them
# 1. the gemv check (logits and block keys exact; each lm_head's time alone) of the two gemv.cu variants, one round;
# 2. scripts/step-then-decode: the step check and timing, two rounds, then decode for the variants faster in a step.
# Here first: scripts/gpu-bundle; scripts/variant gainreg ../lm-head-prologue/gain-in-register.patch; scripts/variant
# gainfour ../lm-head-prologue/gain-in-register.patch ../lm-head-prologue/four-blocks.patch; scripts/variant scalereg
# ../int8-piece-scale-held/scale-held.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
G=(gainreg=.variants/gainreg/gemv.cu gainfour=.variants/gainfour/gemv.cu)
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 100 scripts/gpu-ab --rounds 1 base "${G[@]}" -- check-kernels gpt2 gemv > $OUT/gemv-ab.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_ln_[234] |FAIL|rror:" $OUT/gemv-ab.txt | cut -c1-170
mapfile -t passed < <(scripts/check-gate $OUT/gemv-ab.txt '^ *ok' "${G[@]}")
echo "gemv check passed: ${passed[*]:-none}"
scripts/step-then-decode 2 230 190 "${passed[@]}" scalereg=.variants/scalereg/layers.cu
date -u
