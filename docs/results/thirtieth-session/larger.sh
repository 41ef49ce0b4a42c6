#!/usr/bin/env bash
# On the GPU machine: GPT-2 medium and large on the graph engines (experiments/larger-models.yaml: decode at 32 in /
# 256 out, TTFT at 128 in; cuda-graph and fused in bf16, fused in int8), the first such sweep since 2026-11-25, after
# the step check of the persistent layer kernel at their shapes (against Gpt2.Decode in fp32; gpt2-large in bf16
# runs five launches a layer, its plan not fitting shared memory, so it has no persistent check). Of the bundle as
# built, or with the files of LARGER_VARIANT (scripts/gpu-ab's NAME=FILE[,FILE...]).
# Here first: scripts/gpu-bundle; carry .bundle (and .variants for a variant).
set -uo pipefail
cd "$(dirname "$0")/../../.."
V="${LARGER_VARIANT:-base}"
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
for case in gpt2-medium:bf16 gpt2-medium:int8 gpt2-large:int8; do
  set -- ${case/:/ }
  timeout 60 scripts/gpu-ab --rounds 1 "$V" -- check-kernels $1 step --layers persistent --dtype $2 > $OUT/step-$1-$2.txt 2>&1
  echo "step $1 $2 rc=$?"; grep -E "decode step|FAIL|rror" $OUT/step-$1-$2.txt | cut -c1-170
done
scripts/gpu-state $OUT/larger-gpu.csv -- timeout 330 scripts/gpu-ab --rounds 1 "$V" -- \
  run experiments/larger-models.yaml --db /tmp/larger.db --fresh --plain > $OUT/larger.txt 2>&1
echo "larger-models ($V) rc=$?"
grep -E "done " $OUT/larger.txt | sed 's/ eta.*//'
cp /tmp/larger.db $OUT/larger.db 2>/dev/null
date -u
