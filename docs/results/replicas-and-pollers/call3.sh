#!/usr/bin/env bash
# Session 13, call 3: the layer kernel's grid barrier polled by 2 or 4 warps a block, staggered (common.cuh), and the
# down-projection spread over 4 or 6 copies of the layer's output instead of 8 (layers.cu), against the bundle of bb61dce:
# the step check, then the best two through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
VARS="base rep4=$V/rep4/layers.cu rep6=$V/rep6/layers.cu poll2=$V/poll2/common.cuh poll4=$V/poll4/common.cuh"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call3.txt; date -u | tee -a $OUT/gpu-call3.txt
timeout 260 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | sed 's/ layers positions 0..400//'
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v] && v!="base") print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
pick=$(echo "$rank" | head -2 | tr '\n' ' ')
sel=""; for p in $pick; do for v in $VARS; do [ "${v%%=*}" = "$p" ] && sel="$sel $v"; done; done
timeout 120 scripts/gpu-ab --rounds 2 base $sel -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
