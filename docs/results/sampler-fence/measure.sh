#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant nofence docs/results/sampler-fence/no-system-fence.patch
# and a call carrying .bundle and .variants that runs this script (~3 minutes with the machine's start): the sampling
# check (every draw against softmax(top-k / T)), the step check with its top-50 share, and the orchestrator's decode and
# TTFT (whose first token the same kernel writes), base against the sampler without its system fence, rounds alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
VARS="base nofence=.variants/nofence/sampling.cu"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-ab --rounds 1 nofence=.variants/nofence/sampling.cu -- check-kernels gpt2 sampling > $OUT/sampling.txt 2>&1; echo "sampling rc=$?"
grep -E "FAIL|ok " $OUT/sampling.txt | cut -c1-160
timeout 120 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|its share" $OUT/step-ab.txt | cut -c1-220
timeout 60 scripts/gpu-ab --rounds 2 $VARS -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
