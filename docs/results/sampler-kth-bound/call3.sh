#!/usr/bin/env bash
# Nineteenth session, call 3, on the GPU machine: the one-block top-k draw ranking only the rows at or above the k-th
# block key (kth-bound.patch), against the bundle of 3bcbdd7. Here first: scripts/gpu-bundle (at 3bcbdd7);
# scripts/variant kth docs/results/sampler-kth-bound/kth-bound.patch; carry .bundle and .variants.
# 1. the sampling check (greedy and top-k draws against their references; each draw timed), base and kth, two rounds;
# 2. decode through the orchestrator (32 in / 256 out, top-50 at T 0.5), base and kth, two rounds;
# 3. where base's sampler stalls, by source line (Nsight Compute, its first top-50 launch: the first token's).
set -uo pipefail
cd "$(dirname "$0")/../../.."
K=.variants/kth/sampling.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 2 base kth=$K -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|sampling|FAIL" $OUT/sampling-ab.txt | cut -c1-200
timeout 110 scripts/gpu-ab --rounds 2 base kth=$K -- run experiments/fused.yaml --db /tmp/kth-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/kth-ab.db $OUT/ 2>/dev/null
timeout 120 scripts/gpu-stalls sample_token $OUT/stalls -- generate --model gpt2 --prompt "$(python3 -c 'print(" a"*128)')" --tokens 3 --engine fused --top-k 50 --temperature 0.5 > $OUT/stalls.txt 2>&1; echo "stalls rc=$?"
head -40 $OUT/stalls/lines.txt 2>/dev/null
rm -f $OUT/stalls/*.sass.gz
date -u
