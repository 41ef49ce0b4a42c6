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
timeout 100 scripts/gpu-ab --rounds 1 base $A $B -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror:|QKV |attention|MLP |barrier:" $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-180
mapfile -t passed < <(scripts/step-gate $OUT/step-ab.txt $A $B)
echo "passed and faster: ${passed[*]:-none}"
[ ${#passed[@]} -gt 0 ] && scripts/decode-ab fused-ab 2 100 "${passed[@]}"
date -u
