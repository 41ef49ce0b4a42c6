#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant groups2 docs/results/prefill-ttft/normed-groups-2.patch
#   scripts/variant groups6 docs/results/prefill-ttft/normed-groups-6.patch
#   scripts/variant kparts docs/results/prefill-ttft/k-parts.patch
#   scripts/variant graphs docs/results/prefill-ttft/prefill-graphs.patch
#   scripts/variant both docs/results/prefill-ttft/k-parts.patch docs/results/prefill-ttft/prefill-graphs.patch
# and a call carrying .bundle and .variants that runs this script (~9 minutes with the machine's start):
# 1. the prefill check of k-parts.patch, bf16 and int8 (its correctness first), and of the base and 4 parts (bf16),
#    each with the new in-chain line (each kind of launch's share of the prefill in its real order);
# 2. the first-token check (bf16) of every variant, two rounds alternated;
# 3. the orchestrator's TTFT and decode of the base, the K split, the split graphs and both, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
K=.variants/kparts/prefill.cu,.variants/kparts/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 kparts=$K -- check-kernels gpt2 prefill > $OUT/prefill-kparts.txt 2>&1; echo "prefill kparts rc=$?"
grep -E "FAIL|positions \+ lm_head|in the chain|QKV|MLP up" $OUT/prefill-kparts.txt | cut -c1-400
timeout 90 scripts/gpu-ab --rounds 1 base kparts4=$K,GPTBENCH_PREFILL_K_PARTS=4 -- check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill-ab.txt 2>&1; echo "prefill rc=$?"
grep -E "^===|FAIL|positions \+ lm_head|in the chain|QKV|MLP up" $OUT/prefill-ab.txt | cut -c1-400
B=.variants/both/prefill.cu,.variants/both/GpuWorker.dll
VARS="base inblock=GPTBENCH_PREFILL_LAYERNORM_FROM=100000 groups2=.variants/groups2/prefill.cu groups6=.variants/groups6/prefill.cu kparts=$K kparts4=$K,GPTBENCH_PREFILL_K_PARTS=4 graphs=.variants/graphs/GpuWorker.dll both=$B"
timeout 230 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 ttft --dtype bf16 > $OUT/ttft-ab.txt 2>&1; echo "ttft rc=$?"
grep -E "^===|first token" $OUT/ttft-ab.txt | cut -c1-230
timeout 110 scripts/gpu-ab --rounds 2 base kparts=$K graphs=.variants/graphs/GpuWorker.dll both=$B -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
