#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant best docs/results/sampler-block-best/sampler-block-best.patch
# and a call carrying .bundle and .variants that runs this script (~4 minutes with the machine's start): the sampling
# check of the patch (both draws, every draw against softmax(top-k / T)), the gemv check (the lm_head with its block
# keys), then the step check (greedy, and its lm_head and top-50 shares) and the orchestrator, base against the patch,
# rounds alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
B=.variants/best/common.cuh,.variants/best/gemv.cu,.variants/best/sampling.cu,.variants/best/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 1 best=$B -- check-kernels gpt2 sampling gemv > $OUT/checks.txt 2>&1; echo "checks rc=$?"
grep -E "FAIL|ok  " $OUT/checks.txt | cut -c1-200
timeout 130 scripts/gpu-ab --rounds 2 base best=$B -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|its share" $OUT/step-ab.txt | cut -c1-220
timeout 60 scripts/gpu-ab --rounds 2 base best=$B -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
