#!/usr/bin/env bash
# On the GPU machine: the draw's pool on the block keys' high words and one barrier for the race's maximum
# (word-pool.patch, on top of ../block-keys-by-slot/by-slot.patch) against HEAD: the sampling check, the stage clocks of
# HEAD's draw (../block-keys-by-slot/held-stamps.patch) and this one (word-pool-stamps.patch, on by-slot.patch too), then
# the step check and decode (scripts/draw-ab). Its lm_head is by-slot's, whose gemv check ../block-keys-by-slot/measure.sh
# runs.
# Here first: scripts/gpu-bundle; scripts/variant lean docs/results/block-keys-by-slot/by-slot.patch
# docs/results/draw-word-pool/word-pool.patch; scripts/variant leanstamps docs/results/block-keys-by-slot/by-slot.patch
# docs/results/draw-word-pool/word-pool-stamps.patch; scripts/variant heldstamps
# docs/results/block-keys-by-slot/held-stamps.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/draw-ab lean=.variants/lean/common.cuh,.variants/lean/gemv.cu,.variants/lean/sampling.cu,.variants/lean/GpuWorker.dll \
  heldstamps=.variants/heldstamps/sampling.cu,.variants/heldstamps/GpuWorker.dll \
  leanstamps=.variants/leanstamps/common.cuh,.variants/leanstamps/gemv.cu,.variants/leanstamps/sampling.cu,.variants/leanstamps/GpuWorker.dll
date -u
