#!/usr/bin/env bash
# On the GPU machine: int8's projection-piece copy issued after the QKV products too, against HEAD (whose int8 MLP-up
# copy is there already): the QKV phase's input then issues no copy at all in int8. The step check and timing, two
# rounds, then decode for those faster in a step (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant piece docs/results/int8-piece-after-products/piece-after-products.patch;
# carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 60 80 piece=.variants/piece/layers.cu
date -u
