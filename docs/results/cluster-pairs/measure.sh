#!/usr/bin/env bash
# Written in the nineteenth session, not yet run: on the GPU machine, the layer kernel in clusters of 2 blocks whose
# down-projections are added together through distributed shared memory before the atomics (cluster-pairs.patch,
# kernel and host), against HEAD. Here first: scripts/gpu-bundle; scripts/variant pairs
# docs/results/cluster-pairs/cluster-pairs.patch; carry .bundle and .variants.
# 1. the step check and timing: base, pairs, and the patch with the clusters off (its extra shared memory alone), two
#    rounds; a failed launch or check shows here first;
# 2. if pairs passed its check: decode through the orchestrator, base against pairs, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
P=.variants/pairs/layers.cu,.variants/pairs/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 200 scripts/gpu-ab --rounds 2 base pairs=$P single=$P,GPTBENCH_LAYER_PAIRS=0 -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror|QKV |attention|MLP " $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-180
if awk '/^=== pairs/{p=1} /^=== /&&!/pairs/{p=0} p&&/ok   decode step/{ok++} p&&/FAIL|Exception|rror:/{bad++} END{exit !(ok>0 && bad==0)}' $OUT/step-ab.txt; then
  timeout 110 scripts/gpu-ab --rounds 2 base pairs=$P -- run experiments/fused.yaml --db /tmp/pairs-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
  grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
  cp /tmp/pairs-ab.db $OUT/ 2>/dev/null
fi
date -u
