#!/usr/bin/env bash
# On the GPU machine: the blocks that compute attention slices issue their down-projection's weight copy after their
# MLP barrier arrival instead of after their slice (slice-copy-late.patch), against HEAD; and slicewait, that with the
# LayerNorm 2 of a slice block not waiting for that copy, only the down-projection (slice-copy-late-wait.patch on top).
# Here first: scripts/gpu-bundle; scripts/variant slicelate docs/results/slice-copy-late/slice-copy-late.patch;
# scripts/variant slicewait docs/results/slice-copy-late/slice-copy-late.patch
# docs/results/slice-copy-late/slice-copy-late-wait.patch; carry .bundle and .variants.
# 1. the step check and timing, base against slicelate and slicewait, two rounds;
# 2. those that passed their check and beat base's bf16 or int8 step: decode through the orchestrator, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
S=.variants/slicelate/layers.cu W=.variants/slicewait/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 160 scripts/gpu-ab --rounds 2 base slicelate=$S slicewait=$W -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror:|QKV |attention|MLP " $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-180
mapfile -t passed < <(scripts/step-gate $OUT/step-ab.txt slicelate=$S slicewait=$W)
echo "passed and faster: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 130 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run experiments/fused.yaml --db /tmp/slicelate-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
  grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
  cp /tmp/slicelate-ab.db $OUT/fused-ab.db 2>/dev/null
fi
date -u
