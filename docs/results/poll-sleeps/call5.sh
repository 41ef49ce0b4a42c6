#!/usr/bin/env bash
# Session 13, call 5: the sleep between polls, now that the barrier's counter has two copies: the grid barrier's 0 or
# 64 ns instead of 32 (common.cuh), the published values' 16 or 64 instead of 32 (layers.cu await), against the bundle
# of 073d20c: the step check, then the best two through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
VARS="base bs0=$V/bs0/common.cuh bs64=$V/bs64/common.cuh as16=$V/as16/layers.cu as64=$V/as64/layers.cu"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call5.txt; date -u | tee -a $OUT/gpu-call5.txt
timeout 260 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | sed 's/ layers positions 0..400//'
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v] && v!="base") print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
pick=$(echo "$rank" | head -2 | tr '\n' ' ')
sel=""; for p in $pick; do for v in $VARS; do [ "${v%%=*}" = "$p" ] && sel="$sel $v"; done; done
timeout 100 scripts/gpu-ab --rounds 2 base $sel -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
