#!/usr/bin/env bash
# Session 14, call 2: the MLP phase's constants and down-projection copy issued before the attention slice (early1),
# and the attention projection left to the blocks that compute no attention slice (proj), against the base (step
# check, then the orchestrator); the prefill's separate LayerNorm (lnsep, f8d8b9a's prefill, from 128 positions) through
# the orchestrator; then the engine ladder with lnsep and the fastest layer kernel of the three by step time.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s14
LNFILES=$V/lnsep/common.cuh,$V/lnsep/prefill.cu,$V/lnsep/GpuWorker.dll
VARS="base early1=$V/early1/layers.cu proj=$V/proj/layers.cu"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call2.txt; date -u | tee -a $OUT/gpu-call2.txt
timeout 180 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|barrier" $OUT/step-ab.txt | cut -c1-200
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v]) print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
timeout 130 scripts/gpu-ab --rounds 2 $VARS lnsep=$LNFILES -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
best=$(echo "$rank" | head -1); sel="ladder=$LNFILES"; for v in $VARS; do [ "${v%%=*}" = "$best" ] && [ "$v" != base ] && sel="$sel,${v#*=}"; done
echo "ladder variant: $sel"
timeout 200 scripts/gpu-ab --rounds 1 "$sel" -- run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "^===|done gpt2" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/ 2>/dev/null
date -u
