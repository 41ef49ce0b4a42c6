#!/usr/bin/env bash
# On the GPU machine: MLP up's weight copy issued later than the QKV phase's input, against HEAD. `after-products.patch`:
# right after the QKV products, in every block; `after-slice.patch`: there in the blocks without an attention slice (which
# then wait for their head's slices), after the slice in the others. The step check and timing, two rounds, then decode
# for those that passed and beat HEAD's step (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant fcproducts docs/results/mlp-up-copy-later/after-products.patch;
# scripts/variant fcslice docs/results/mlp-up-copy-later/after-slice.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 80 100 fcproducts=.variants/fcproducts/layers.cu fcslice=.variants/fcslice/layers.cu
date -u
