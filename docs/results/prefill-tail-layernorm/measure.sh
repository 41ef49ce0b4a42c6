#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant tailln docs/results/prefill-tail-layernorm/tail-layernorm.patch
# and a call carrying .bundle and .variants that runs this script (~5 minutes with the machine's start):
# 1. the prefill check of the patch, bf16 and int8 (its correctness against Gpt2.Prefill at 16, 100-in-128 and 1024
#    positions: the tail runs from 128);
# 2. the prefill check (bf16) and the first-token check, base against the patch, two rounds alternated;
# 3. the orchestrator's TTFT, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
A=.variants/tailln/prefill.cu,.variants/tailln/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 tailln=$A -- check-kernels gpt2 prefill > $OUT/prefill-tailln.txt 2>&1; echo "prefill rc=$?"
grep -E "FAIL|ok   prefill .* (16|100|1024) tokens|positions \+ lm_head" $OUT/prefill-tailln.txt | cut -c1-200
timeout 100 scripts/gpu-ab --rounds 2 base tailln=$A -- check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill-ab.txt 2>&1; echo "prefill ab rc=$?"
grep -E "^===|FAIL|positions \+ lm_head" $OUT/prefill-ab.txt | cut -c1-200
timeout 120 scripts/gpu-ab --rounds 2 base tailln=$A -- check-kernels gpt2 ttft > $OUT/ttft-ab.txt 2>&1; echo "ttft rc=$?"
grep -E "^===|first token" $OUT/ttft-ab.txt | cut -c1-330
timeout 70 scripts/gpu-ab --rounds 2 base tailln=$A -- run experiments/fused.yaml --db /tmp/tailln-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/tailln-ab.db $OUT/
date -u
