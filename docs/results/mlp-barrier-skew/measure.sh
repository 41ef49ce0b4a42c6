#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant early docs/results/mlp-barrier-skew/mlp-constants-early.patch
#   scripts/variant others docs/results/mlp-barrier-skew/projection-by-other-blocks.patch
# and a call carrying .bundle and .variants that runs this script: the two layer-kernel variants against the bundle's
# (step check, two rounds alternated, which also prints each barrier's stragglers), then through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../../.."
VARS="base early=.variants/early/layers.cu others=.variants/others/layers.cu"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|MLP barrier" $OUT/step-ab.txt | cut -c1-200
timeout 100 scripts/gpu-ab --rounds 2 $VARS -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
