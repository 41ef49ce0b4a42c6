#!/usr/bin/env bash
# On the GPU machine: the layer kernel's products with a warp's two rows over all 32 lanes, each lane's activations
# loaded once for both (paired-rows.patch), against HEAD. Here first: scripts/gpu-bundle; scripts/variant paired
# docs/results/paired-rows/paired-rows.patch; carry .bundle and .variants.
# 1. the step check and timing, base against paired, two rounds (the phase profile's QKV and MLP work are the figures);
# 2. if it passed its check and beat base's bf16 or int8 step: decode through the orchestrator, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
P=paired=.variants/paired/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 110 scripts/gpu-ab --rounds 2 base $P -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror:|QKV |attention|MLP " $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-180
mapfile -t passed < <(scripts/step-gate $OUT/step-ab.txt $P)
echo "passed and faster: ${passed[*]:-none}"
[ ${#passed[@]} -gt 0 ] && scripts/decode-ab fused-ab 2 80 "${passed[@]}"
date -u
