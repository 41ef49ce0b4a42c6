#!/usr/bin/env bash
# On the GPU machine, when less than four minutes of device time are left for measure.sh: the step check of both
# variants at gpt2-large's shapes in bf16 (persistent, two weight buffers), then HEAD's step there (five launches a
# layer), one round each. No decode: a first reading of what the step would gain, not a verdict.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 110 scripts/gpu-ab --rounds 1 tbs=.variants/tbs/layers.cu,.variants/tbs/GpuWorker.dll tb=.variants/tb/layers.cu,.variants/tb/GpuWorker.dll \
  -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "variants rc=$?"; grep -E "^===|decode step|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
timeout 60 scripts/gpu-ab --rounds 1 base -- check-kernels gpt2-large step --layers per-kernel --dtype bf16 > $OUT/step-large-base.txt 2>&1
echo "base rc=$?"; grep -E "^===|decode step|FAIL|rror" $OUT/step-large-base.txt | cut -c1-170
date -u
