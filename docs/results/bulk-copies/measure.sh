#!/usr/bin/env bash
# On the GPU machine: the layer kernel's weights copied by the copy engine (bulk-copies.patch: cp.async.bulk, one copy
# a contiguous run of rows, completing on the buffer's mbarrier) instead of 16-byte cp.async by every thread, against
# HEAD; and bulk-early.patch, the same with the projection piece's and MLP up's copies issued between the QKV barrier's
# arrival and its wait; and bulk-down-early.patch, that with the down-projection's copy issued before the attention slice
# waits (after its cache rows' loads) instead of after it. Here first: scripts/gpu-bundle; scripts/variant bulk docs/results/bulk-copies/bulk-copies.patch;
# scripts/variant early docs/results/bulk-copies/bulk-early.patch; scripts/variant downearly
# docs/results/bulk-copies/bulk-down-early.patch; carry .bundle and .variants.
# 1. the kernel compiled by the machine's nvcc for sm_90 (this machine's toolkit lacks cp.async.bulk);
# 2. the step check and timing, base against the three, two rounds (a failed check or launch shows here first);
# 3. decode through the orchestrator, base against those that passed their check, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
B=.variants/bulk/layers.cu E=.variants/early/layers.cu DE=.variants/downearly/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
PATH=$PATH:/usr/local/cuda/bin timeout 60 scripts/kernels-compile $B $E $DE > $OUT/compile.txt 2>&1; echo "compile rc=$?"; cat $OUT/compile.txt | head -30
timeout 270 scripts/gpu-ab --rounds 2 base bulk=$B early=$E downearly=$DE -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror|QKV |attention|MLP " $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-180
passed=()
for v in bulk=$B early=$E downearly=$DE; do
  awk -v n="${v%%=*}" '$0 ~ "^=== "n" "{p=1; next} /^=== /{p=0} p&&/ok   decode step/{ok++} p&&/FAIL|Exception|rror:/{bad++} END{exit !(ok>0 && bad==0)}' $OUT/step-ab.txt && passed+=("$v")
done
echo "passed: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 230 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run experiments/fused.yaml --db /tmp/bulk-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
  grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
  cp /tmp/bulk-ab.db $OUT/ 2>/dev/null
fi
date -u
