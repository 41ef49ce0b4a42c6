#!/usr/bin/env bash
# Session 13, call 8: the session's whole change on one machine: the code the session started from (080ad28's
# GpuWorker.dll and its sampling.cu, layers.cu, common.cuh swapped in) against the bundle of 9995038, alternated:
# the step check, then decode and TTFT through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
S=$V/start/GpuWorker.dll,$V/start/sampling.cu,$V/start/layers.cu,$V/start/common.cuh
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call8.txt; date -u | tee -a $OUT/gpu-call8.txt
timeout 100 scripts/gpu-ab --rounds 2 start=$S head -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | sed 's/ layers positions 0..400//'
timeout 100 scripts/gpu-ab --rounds 2 start=$S head -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
