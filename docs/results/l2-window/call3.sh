#!/usr/bin/env bash
# Session 12, call 3 (call 2 trapped: CUDA 13 ptxas dropped the createpolicy feeding cp.async; now constant policies): the lm_head kept partly in L2 (evict_last) while the other weights stream past (evict_first),
# against the bundle (HEAD 37423c8): hints alone (old host, no L2 set aside), and with the host setting L2 aside for
# 16..40 MB; step check, then the best two through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s12
K=$V/set/common.cuh,$V/set/gemv.cu,$V/set/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call3.txt; date -u | tee -a $OUT/gpu-call2.txt
VARS="base evict=$V/evict/common.cuh,$V/evict/gemv.cu hints-24=$V/hints-24/common.cuh,$V/hints-24/gemv.cu set-16=$K,GPTBENCH_LM_HEAD_L2_BYTES=16777216 set-24=$K,GPTBENCH_LM_HEAD_L2_BYTES=25165824 set-32=$K,GPTBENCH_LM_HEAD_L2_BYTES=33554432 set-40=$K,GPTBENCH_LM_HEAD_L2_BYTES=41943040"
timeout 300 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | sed 's/ layers positions 0..400//'
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v] && v!="base") print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
pick=$(echo "$rank" | head -2 | tr '\n' ' ')
sel=""; for p in $pick; do for v in $VARS; do [ "${v%%=*}" = "$p" ] && sel="$sel $v"; done; done
timeout 120 scripts/gpu-ab --rounds 2 base $sel -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
