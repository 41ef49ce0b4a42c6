#!/usr/bin/env bash
# On the GPU machine: the one-block draw reading its block keys coalesced (coalesced.patch) against HEAD (61253f1, the
# keys held in registers as each thread's blocks' three): the sampling check, the stage clocks of HEAD's draw
# (held-stamps.patch) and this one (coalesced-stamps.patch), then the step check and decode (scripts/draw-ab).
# Here first: scripts/gpu-bundle; scripts/variant coal docs/results/draw-coalesced-keys/coalesced.patch; scripts/variant
# coalstamps docs/results/draw-coalesced-keys/coalesced-stamps.patch; scripts/variant heldstamps
# docs/results/draw-coalesced-keys/held-stamps.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/draw-ab coal=.variants/coal/sampling.cu heldstamps=.variants/heldstamps/sampling.cu,.variants/heldstamps/GpuWorker.dll \
  coalstamps=.variants/coalstamps/sampling.cu,.variants/coalstamps/GpuWorker.dll
date -u
