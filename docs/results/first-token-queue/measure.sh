#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant after docs/results/first-token-queue/decode-after-first-token.patch
# and a call carrying .bundle and .variants that runs this script (~6 minutes with the machine's start):
# 1. the first-token check (bf16, int8) of the base: its TTFT of one-token generations against 32-token ones, whose
#    decode steps are queued behind the prefill (the orchestrator's TTFT trials), and of the variant (none queued);
# 2. the orchestrator's TTFT and decode, base against the variant, three rounds alternated;
# (1 and 2 also run the prefill's K split in 3 parts, GPTBENCH_PREFILL_K_PARTS=3: 2 are the default, 4 were measured)
# 3. the prefill check's in-chain line (each launch's share of a 128-token prefill in its real order; first run).
set -uo pipefail
cd "$(dirname "$0")/../../.."
A=.variants/after/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 1 base after=$A parts3=GPTBENCH_PREFILL_K_PARTS=3 -- check-kernels gpt2 ttft > $OUT/ttft-ab.txt 2>&1; echo "ttft rc=$?"
grep -E "^===|first token" $OUT/ttft-ab.txt | cut -c1-330
timeout 200 scripts/gpu-ab --rounds 3 base after=$A parts3=GPTBENCH_PREFILL_K_PARTS=3 -- run experiments/fused.yaml --db /tmp/queue-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/queue-ab.db $OUT/
timeout 60 scripts/gpu-run check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill.txt 2>&1; echo "prefill rc=$?"
grep -E "FAIL|positions \+ lm_head|in the chain" $OUT/prefill.txt | cut -c1-400
date -u
