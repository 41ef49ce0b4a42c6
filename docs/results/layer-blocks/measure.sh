#!/usr/bin/env bash
# On the GPU machine: the decode layer kernel on fewer blocks than SMs (layer-blocks.patch: GPTBENCH_LAYER_BLOCKS),
# against HEAD (one block an SM): 131, leaving the SM the sampler's block holds when the kernel's blocks start, and 120,
# ten a head as 132 gives eleven. Here first: scripts/gpu-bundle; scripts/variant blocks
# docs/results/layer-blocks/layer-blocks.patch; carry .bundle and .variants.
# 1. the step check and timing, base against both, one round;
# 2. those that passed their check and beat base's bf16 or int8 step: decode through the orchestrator, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
A=b131=.variants/blocks/GpuWorker.dll,GPTBENCH_LAYER_BLOCKS=131 B=b120=.variants/blocks/GpuWorker.dll,GPTBENCH_LAYER_BLOCKS=120
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 1 100 100 $A $B
date -u
