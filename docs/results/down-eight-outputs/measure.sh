#!/usr/bin/env bash
# On the GPU machine: the layer kernel's down-projection in units of eight outputs over five parts of the rows (dn8:
# eight-outputs.patch), against HEAD. The step check and timing, two rounds, then decode if faster in a step
# (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant dn8 docs/results/down-eight-outputs/eight-outputs.patch; carry .bundle
# and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 110 90 dn8=.variants/dn8/layers.cu
date -u
