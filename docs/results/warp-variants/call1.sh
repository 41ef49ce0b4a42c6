#!/usr/bin/env bash
# Session 12, call 1: the six prepared layer-kernel variants (docs/results/untested) against the bundle (HEAD 37423c8,
# kernel b92e7d9), step check; then the best two by bf16 step time, and all-four, through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s12
VS="warp-query warp-max warp-max-and-warp-query copies-at-arrival warp-down all-four"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call1.txt; date -u | tee -a $OUT/gpu-call1.txt
timeout 330 scripts/gpu-ab --rounds 2 base $(for v in $VS; do echo $v=$V/$v/layers.cu; done) -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400" $OUT/step-ab.txt | sed 's/ layers positions 0..400//'
# rank by bf16 + int8 step time, failing variants out
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v] && v!="base") print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
pick=$(echo "$rank" | head -2 | tr '\n' ' ')
case " $pick " in *" all-four "*) ;; *) echo "$rank" | grep -qx all-four && pick="$pick all-four";; esac
timeout 150 scripts/gpu-ab --rounds 2 base $(for v in $pick; do echo $v=$V/$v/layers.cu; done) -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
