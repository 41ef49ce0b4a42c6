#!/usr/bin/env bash
# On the GPU machine: the one-block draw with its block keys held in registers (held-keys.patch) against HEAD: the
# sampling check, the stage clocks of HEAD's draw and this one (held-stamps.patch: ../draw-stamps/'s stamps on this
# draw), then the step check and decode (scripts/draw-ab).
# Here first: scripts/gpu-bundle; scripts/variant held docs/results/draw-held-keys/held-keys.patch; scripts/variant
# heldstamps docs/results/draw-held-keys/held-stamps.patch; scripts/variant stamps
# docs/results/draw-stamps/draw-stamps.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/draw-ab held=.variants/held/sampling.cu stamps=.variants/stamps/sampling.cu,.variants/stamps/GpuWorker.dll \
  heldstamps=.variants/heldstamps/sampling.cu,.variants/heldstamps/GpuWorker.dll
date -u
