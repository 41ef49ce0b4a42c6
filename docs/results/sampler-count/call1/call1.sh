#!/usr/bin/env bash
# Session 13, call 1: the sampler's top-k by counting (docs/results/untested-sampler) against the bundle (HEAD 080ad28):
# the sampling check (greedy, top-50, top-1000 against softmax, and their times), then decode and TTFT at top-k 50.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call1.txt; date -u | tee -a $OUT/gpu-call1.txt
timeout 150 scripts/gpu-ab --rounds 2 base count=$V/count/sampling.cu -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|FAIL|sampl|us" $OUT/sampling-ab.txt | head -60
timeout 200 scripts/gpu-ab --rounds 2 base count=$V/count/sampling.cu -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
