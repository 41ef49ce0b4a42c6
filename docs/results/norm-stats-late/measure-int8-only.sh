#!/usr/bin/env bash
# On the GPU machine: int8-only.patch (the statistics collected after the products' loop in int8, before it in bf16, as
# the first run asked) against HEAD. The step check and timing, base against it, two rounds; then decode for a dtype
# whose step is faster (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant int8late docs/results/norm-stats-late/int8-only.patch; carry .bundle
# and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 150 80 int8late=.variants/int8late/layers.cu,.variants/int8late/common.cuh
date -u
