#!/usr/bin/env bash
# On the GPU machine: the layer kernel's LayerNorm statistics collected after the products' loops (late-stats.patch)
# against HEAD. The step check and timing, base against late, two rounds; then decode for a dtype whose step is faster
# (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant late docs/results/norm-stats-late/late-stats.patch; carry .bundle and
# .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 150 80 late=.variants/late/layers.cu,.variants/late/common.cuh
date -u
