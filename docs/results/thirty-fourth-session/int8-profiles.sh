#!/usr/bin/env bash
# On the GPU machine: the step check in int8 at GPT-2 small's and gpt2-large's shapes, now with the phase profile
# (until this session it was printed for bf16 only): where int8's layer goes, which no measurement has shown yet
# (gpt2-large int8 reaches 43% of its limit, bf16 62%). Of the bundle as built. Here first: scripts/gpu-bundle; carry
# .bundle. Call: scripts/gpu-scripts thirty-fourth-session/int8-profiles.sh:0 (~1 minute).
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
for model in gpt2 gpt2-large; do
  timeout 90 scripts/gpu-ab --rounds 1 base -- check-kernels $model step --layers persistent --dtype int8 > $OUT/step-$model-int8.txt 2>&1
  echo "step $model int8 rc=$?"; grep -E "decode step.*positions|FAIL|rror|QKV |attention|MLP |barrier" $OUT/step-$model-int8.txt | cut -c1-170
done
date -u
