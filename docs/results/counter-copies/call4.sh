#!/usr/bin/env bash
# Session 13, call 4: the grid barrier's counter in 1, 2, 4 or 8 copies (every block adds to each, polls one), over the
# bundle of bb61dce with e46c7b9's layer kernel plus the copies (GpuWorker.dll allocating 8, common.cuh, layers.cu):
# the step check, then the best two and the one-copy kernel through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
K=$V/counters/GpuWorker.dll,$V/counters/common.cuh
VARS="c1=$K,$V/c1/layers.cu c2=$K,$V/c2/layers.cu c4=$K,$V/c4/layers.cu c8=$K,$V/c8/layers.cu"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call4.txt; date -u | tee -a $OUT/gpu-call4.txt
timeout 230 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | sed 's/ layers positions 0..400//'
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v] && v!="c1") print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
pick=$(echo "$rank" | head -2 | tr '\n' ' ')
sel=""; for p in c1 $pick; do for v in $VARS; do [ "${v%%=*}" = "$p" ] && sel="$sel $v"; done; done
timeout 120 scripts/gpu-ab --rounds 2 $sel -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
