#!/usr/bin/env bash
# Session 12, call 5: the lm_head's L2 window at 8..20 MB and at the host's default (a third of L2, no setting),
# against the bundle (HEAD 37423c8), step check; every step check of the default (both layer kinds); the ladder with it.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s12
D=$V/win/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call5.txt; date -u | tee -a $OUT/gpu-call5.txt
VARS="base win-8=$D,GPTBENCH_LM_HEAD_L2_BYTES=8388608 win-12=$D,GPTBENCH_LM_HEAD_L2_BYTES=12582912 win-16=$D,GPTBENCH_LM_HEAD_L2_BYTES=16777216 win-20=$D,GPTBENCH_LM_HEAD_L2_BYTES=20971520 default=$D"
timeout 230 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror" $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-200
date -u
TMPDIR=/tmp/gpu-ab/default timeout 90 scripts/gpu-run check-kernels gpt2 step > $OUT/check-step.txt 2>&1; echo "check rc=$?"
grep -E "FAIL|positions 0..400|pass" $OUT/check-step.txt | cut -c1-200
date -u
TMPDIR=/tmp/gpu-ab/default timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db $OUT/ladder.db --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done gpt2" $OUT/ladder.txt | sed 's/ eta.*//'
date -u
