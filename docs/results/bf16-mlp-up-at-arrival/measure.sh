#!/usr/bin/env bash
# On the GPU machine: bf16's MLP-up weight copy issued at the MLP barrier's arrival instead of in the QKV phase's input,
# against HEAD. The step check and timing, two rounds, then decode for those faster in a step (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant fcarrival docs/results/bf16-mlp-up-at-arrival/at-arrival.patch; carry
# .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 100 80 fcarrival=.variants/fcarrival/layers.cu
date -u
