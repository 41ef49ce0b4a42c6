#!/usr/bin/env bash
# Session 13, call 7: gpt2-medium (bf16, int8) and gpt2-large (int8) through the step check with HEAD's layer kernel
# (the bundle of 1910d8c with the 96 ns poll sleep of the commit after it).
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call7.txt; date -u | tee -a $OUT/gpu-call7.txt
timeout 120 scripts/gpu-ab --rounds 1 as96=$V/as96/layers.cu -- check-kernels gpt2-medium step --layers persistent > $OUT/step-gpt2-medium.txt 2>&1; echo "medium rc=$?"
grep -E "^===|FAIL|ok|persistent" $OUT/step-gpt2-medium.txt | head -20
timeout 150 scripts/gpu-ab --rounds 1 as96=$V/as96/layers.cu -- check-kernels gpt2-large step --layers persistent --dtype int8 > $OUT/step-gpt2-large-int8.txt 2>&1; echo "large rc=$?"
grep -E "^===|FAIL|ok|persistent" $OUT/step-gpt2-large-int8.txt | head -20
date -u
