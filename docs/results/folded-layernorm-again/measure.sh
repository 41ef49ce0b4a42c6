#!/usr/bin/env bash
# On the GPU machine: the layer kernel's LayerNorms folded into the products after them, on today's kernel
# (folded-layernorm.patch: layers.cu, LayerKernel.cs's FoldNorm and its CPU test). The step check and timing, base
# against fold, two rounds; then decode for a dtype whose step is faster (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant fold docs/results/folded-layernorm-again/folded-layernorm.patch;
# carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 150 80 fold=.variants/fold/layers.cu,.variants/fold/GpuWorker.dll
date -u
