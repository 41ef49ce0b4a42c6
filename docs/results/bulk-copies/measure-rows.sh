#!/usr/bin/env bash
# On the GPU machine, after measure.sh's call: bulk copies for the row fills only (bulk-rows.patch: QKV, MLP up and the
# down-projection, 1..3 bulk copies a fill), the projection piece back to 16-byte cp.async (a bulk copy a 128-byte row
# held warp 1 up in measure.sh's variants); and bulk-rows-early.patch, that with MLP up's copy issued between the QKV
# barrier's arrival and its wait. Here first: scripts/gpu-bundle; scripts/variant rows
# docs/results/bulk-copies/bulk-rows.patch; scripts/variant rowsearly docs/results/bulk-copies/bulk-rows-early.patch;
# carry .bundle and .variants.
# 1. the step check and timing, base against both, two rounds;
# 2. decode through the orchestrator, base against those that passed their check and beat base's step, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
R=.variants/rows/layers.cu RE=.variants/rowsearly/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu-rows.txt; date -u | tee -a $OUT/gpu-rows.txt
timeout 200 scripts/gpu-ab --rounds 2 base rows=$R rowsearly=$RE -- check-kernels gpt2 step --layers persistent > $OUT/step-ab-rows.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror:|QKV |attention|MLP " $OUT/step-ab-rows.txt | sed 's/ layers positions 0..400//' | cut -c1-180
# A variant goes on to the orchestrator where it passed its check and its bf16 or int8 step (summed over the rounds) beat base's.
mapfile -t passed < <(scripts/step-gate $OUT/step-ab-rows.txt rows=$R rowsearly=$RE)
echo "passed and faster: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 180 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run experiments/fused.yaml --db /tmp/rows-ab.db --fresh --plain > $OUT/fused-ab-rows.txt 2>&1; echo "fused rc=$?"
  grep -E "^===|done gpt2" $OUT/fused-ab-rows.txt | sed 's/ eta.*//'
  cp /tmp/rows-ab.db $OUT/fused-ab-rows.db 2>/dev/null
fi
date -u
