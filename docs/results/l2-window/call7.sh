#!/usr/bin/env bash
# Session 12, call 7: the lm_head's kept bytes as one contiguous window (every line marked) with its blocks taking rows
# a golden-ratio stride apart (contig), and the layer kernel's last MLP phase prefetching the next 12..48 MB of it
# into L2 (pf-*), against the bundle of 2c03f48 (the window over the whole lm_head, a third of its lines marked); step
# check, then the best through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s12
K=$V/pf/GpuWorker.dll,$V/pf/gemv.cu,$V/pf/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call7.txt; date -u | tee -a $OUT/gpu-call7.txt
VARS="base contig=$K pf-12=$K,GPTBENCH_LM_HEAD_PREFETCH_BYTES=12582912 pf-24=$K,GPTBENCH_LM_HEAD_PREFETCH_BYTES=25165824 pf-48=$K,GPTBENCH_LM_HEAD_PREFETCH_BYTES=50331648"
timeout 170 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror" $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-150
rank=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v] && v!="base") print s[v], v}' $OUT/step-ab.txt | sort -n | awk '{print $2}')
echo "ranked: $rank"; date -u
pick=$(echo "$rank" | head -1)
sel=""; for v in $VARS; do [ "${v%%=*}" = "$pick" ] && sel="$v"; done
[ -n "$sel" ] && { timeout 70 scripts/gpu-ab --rounds 2 base $sel -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"; }
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
