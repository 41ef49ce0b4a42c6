#!/usr/bin/env bash
# Session 12, call 4 (calls 2 and 3 trapped in the kernels' L2 hints: CUDA 13's ptxas drops the cache-policy
# operand's register): the lm_head's launch given an L2 access policy window (persisting, the rest streaming) and
# 16..40 MB of L2 set aside, host code alone (GpuWorker.dll), against the bundle (HEAD 37423c8); step check, then the
# best two through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s12
D=$V/win/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call4.txt; date -u | tee -a $OUT/gpu-call4.txt
VARS="base win-16=$D,GPTBENCH_LM_HEAD_L2_BYTES=16777216 win-24=$D,GPTBENCH_LM_HEAD_L2_BYTES=25165824 win-32=$D,GPTBENCH_LM_HEAD_L2_BYTES=33554432 win-40=$D,GPTBENCH_LM_HEAD_L2_BYTES=41943040"
timeout 240 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror" $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-200
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v] && v!="base") print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
pick=$(echo "$rank" | head -2 | tr '\n' ' ')
sel=""; for p in $pick; do for v in $VARS; do [ "${v%%=*}" = "$p" ] && sel="$sel $v"; done; done
[ -n "$sel" ] && { timeout 120 scripts/gpu-ab --rounds 2 base $sel -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"; }
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
