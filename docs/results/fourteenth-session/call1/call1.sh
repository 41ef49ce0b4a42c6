#!/usr/bin/env bash
# Session 14, call 1: the three patches left untested by session 13 and the prefill's LayerNorm as its own launch
# (lnsep), each on the check that covers it, then all through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s14
LMH=lmh=$V/lmh/layers.cu,$V/lmh/GpuWorker.dll
RANKS=ranks=$V/ranks/sampling.cu
LNSEP0=lnsep0=$V/lnsep/common.cuh,$V/lnsep/prefill.cu,$V/lnsep/GpuWorker.dll,GPTBENCH_PREFILL_LAYERNORM_FROM=0
FL0=fl0=$V/fl/common.cuh,$V/fl/prefill.cu,$V/fl/GpuWorker.dll,GPTBENCH_PREFILL_LAYERNORM_FROM=0
ALL=all=$V/all/common.cuh,$V/all/layers.cu,$V/all/prefill.cu,$V/all/sampling.cu,$V/all/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call1.txt; date -u | tee -a $OUT/gpu-call1.txt
timeout 100 scripts/gpu-ab --rounds 2 base $LMH -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|without the lm_head|top-50|barrier" $OUT/step-ab.txt | cut -c1-230
timeout 60 scripts/gpu-ab --rounds 2 base $RANKS -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|FAIL|top-50" $OUT/sampling-ab.txt | cut -c1-200
timeout 150 scripts/gpu-ab --rounds 1 base $LNSEP0 $FL0 -- check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill-ab.txt 2>&1; echo "prefill rc=$?"
grep -E "^===|FAIL|positions \+ lm_head" $OUT/prefill-ab.txt | sed 's/(6. launches.*error 0.0e+0 *//' | cut -c1-200
timeout 60 scripts/gpu-ab --rounds 2 base $ALL -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
timeout 80 scripts/gpu-ab --rounds 1 $FL0 -- check-kernels gpt2 prefill --dtype int8 > $OUT/prefill-int8-fl0.txt 2>&1; echo "prefill int8 rc=$?"
grep -E "FAIL|^ok.*tokens as" $OUT/prefill-int8-fl0.txt | cut -c1-150
date -u
