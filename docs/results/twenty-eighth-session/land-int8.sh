#!/usr/bin/env bash
# On the GPU machine, the twenty-eighth session's fifth call: the landing of e43e277's int8 change (MLP up's copy after
# the QKV products; bf16's kernel is unchanged) from its own bundle: the step check of int8 (logits and cache rows
# against Gpt2.Decode in fp32), HF's golden check of the fused engine in int8 (../twenty-fourth-session/golden.sh,
# GOLDEN_CASES=gpt2:int8, into golden/) and the ladder (../twenty-sixth-session/ladder.sh, into ladder/).
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-run check-kernels gpt2 step --dtype int8 --layers persistent > $OUT/step-int8.txt 2>&1
echo "step rc=$?"; grep -E "FAIL|rror:|decode step|QKV |attention|MLP " $OUT/step-int8.txt | cut -c1-160
mkdir -p $OUT/golden $OUT/ladder
GOLDEN_CASES=gpt2:int8 OUT=$OUT/golden bash docs/results/twenty-fourth-session/golden.sh
OUT=$OUT/ladder bash docs/results/twenty-sixth-session/ladder.sh
