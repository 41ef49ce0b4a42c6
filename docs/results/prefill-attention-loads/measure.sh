#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant attload docs/results/prefill-attention-loads/attention-loads.patch
# and a call carrying .bundle and .variants that runs this script (~4 minutes with the machine's start):
# 1. the prefill check of the patch, bf16 and int8 (its correctness against Gpt2.Prefill, and layer 0's attention alone);
# 2. the prefill check (bf16) and the first-token check, base against the patch, two rounds alternated;
# 3. the orchestrator's TTFT, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
A=.variants/attload/prefill.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 attload=$A -- check-kernels gpt2 prefill > $OUT/prefill-attload.txt 2>&1; echo "prefill rc=$?"
grep -E "FAIL|positions \+ lm_head|layer 0: attention" $OUT/prefill-attload.txt | cut -c1-200
timeout 100 scripts/gpu-ab --rounds 2 base attload=$A -- check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill-ab.txt 2>&1; echo "prefill ab rc=$?"
grep -E "^===|FAIL|positions \+ lm_head|in the chain|attention" $OUT/prefill-ab.txt | cut -c1-300
timeout 120 scripts/gpu-ab --rounds 2 base attload=$A -- check-kernels gpt2 ttft --dtype bf16 > $OUT/ttft-ab.txt 2>&1; echo "ttft rc=$?"
grep -E "^===|first token" $OUT/ttft-ab.txt | cut -c1-330
timeout 70 scripts/gpu-ab --rounds 2 base attload=$A -- run experiments/fused.yaml --db /tmp/attload-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/attload-ab.db $OUT/
date -u
