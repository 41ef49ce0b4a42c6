#!/usr/bin/env bash
# Session 13, call 6: 96 and 128 ns between polls of a published value against 1910d8c's 64 (step check), then the
# engine ladder with the fastest of the three.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
VARS="base as96=$V/as96/layers.cu as128=$V/as128/layers.cu"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call6.txt; date -u | tee -a $OUT/gpu-call6.txt
timeout 150 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | sed 's/ layers positions 0..400//'
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v]) print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
best=$(echo "$rank" | head -1); sel=""; for v in $VARS; do [ "${v%%=*}" = "$best" ] && sel="$v"; done
timeout 200 scripts/gpu-ab --rounds 1 ${sel:-base} -- run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "^===|done gpt2" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/ 2>/dev/null
date -u
