#!/usr/bin/env bash
# Session 15, call 3: the prefill's biases and scales read before the wait (the bundle, "early") against read after the
# product (latebias: bd6907e's prefill.cu), the separate prefill LayerNorm from 32 positions (ln32), ln_matmul with block barriers only where a group of rows lands (fewsync): the new
# first-token check (two rounds alternated); the attention projection left to the blocks without a slice in int8 only (others8), the prefill check bf16 (one round), the orchestrator's TTFT and decode.
set -uo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
VARS="early latebias=.variants/s15/latebias/prefill.cu ln32=GPTBENCH_PREFILL_LAYERNORM_FROM=32 fewsync=.variants/s15/fewsync/prefill.cu"
timeout 150 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 ttft > $OUT/ttft-ab.txt 2>&1; echo "ttft rc=$?"
grep -E "^===|first token" $OUT/ttft-ab.txt
timeout 130 scripts/gpu-ab --rounds 1 early latebias=.variants/s15/latebias/prefill.cu fewsync=.variants/s15/fewsync/prefill.cu -- check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill-ab.txt 2>&1; echo "prefill rc=$?"
grep -E "^===|FAIL|positions \+ lm_head|layer 0: " $OUT/prefill-ab.txt | cut -c1-160
timeout 80 scripts/gpu-ab --rounds 2 early others8=.variants/s15/others8/layers.cu -- check-kernels gpt2 step --layers persistent --dtype int8 > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | cut -c1-200
timeout 150 scripts/gpu-ab --rounds 2 $VARS others8=.variants/s15/others8/layers.cu -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
