#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant stream docs/results/lm-head-stream/lm-head-stream.patch
# and a call carrying .bundle and .variants that runs this script (~4 minutes with the machine's start):
# 1. the gemv check of the patch, both weight types (the lm_head's logits and block keys against the reference, and its
#    time alone: gemv_ln_stream_4 bf16, gemv_ln_stream_2 int8), then the sampling check (its draws from those keys);
# 2. the step check (the lm_head's share of a step), base against the patch, two rounds alternated;
# 3. the orchestrator's decode and TTFT, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
S=.variants/stream/gemv.cu,.variants/stream/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 1 base stream=$S -- check-kernels gpt2 gemv sampling > $OUT/checks.txt 2>&1; echo "checks rc=$?"
grep -E "^===|FAIL|50257|one block" $OUT/checks.txt | cut -c1-200
timeout 130 scripts/gpu-ab --rounds 2 base stream=$S -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|its share" $OUT/step-ab.txt | cut -c1-220
timeout 70 scripts/gpu-ab --rounds 2 base stream=$S -- run experiments/fused.yaml --db /tmp/stream-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/stream-ab.db $OUT/
date -u
