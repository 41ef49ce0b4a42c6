#!/usr/bin/env bash
# On the GPU machine: the lm_head's block keys stored by rank, the draw loading the blocks' best keys first and the others
# by cp.async beside its pool (by-slot.patch) against HEAD. 1. the gemv check (the lm_head's logits, and its block keys
# exact in the new order), one round; 2. if it passed: the draw's sampling check, its stage clocks against HEAD's
# (held-stamps.patch, by-slot-stamps.patch), the step check and decode (scripts/draw-ab).
# Here first: scripts/gpu-bundle; scripts/variant slot docs/results/block-keys-by-slot/by-slot.patch; scripts/variant
# slotstamps docs/results/block-keys-by-slot/by-slot-stamps.patch; scripts/variant heldstamps
# docs/results/block-keys-by-slot/held-stamps.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=slot=.variants/slot/common.cuh,.variants/slot/gemv.cu,.variants/slot/sampling.cu,.variants/slot/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-ab --rounds 1 base $V -- check-kernels gpt2 gemv > $OUT/gemv-ab.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_ln_[0-9] |FAIL|rror:" $OUT/gemv-ab.txt | cut -c1-130
if [ -z "$(scripts/check-gate $OUT/gemv-ab.txt '^ *ok' $V)" ]; then echo "slot failed the gemv check: nothing more"; exit 0; fi
scripts/draw-ab $V heldstamps=.variants/heldstamps/sampling.cu,.variants/heldstamps/GpuWorker.dll \
  slotstamps=.variants/slotstamps/common.cuh,.variants/slotstamps/gemv.cu,.variants/slotstamps/sampling.cu,.variants/slotstamps/GpuWorker.dll
date -u
