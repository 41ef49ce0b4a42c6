#!/usr/bin/env bash
# Nineteenth session, call 1, on the GPU machine: the layer kernel's sums counted in their own words, with no grid
# barrier (counted-sums.patch), against the bundle of HEAD (3bcbdd7). Here first: scripts/gpu-bundle (at HEAD);
# scripts/variant counted docs/results/counted-sums/counted-sums.patch; carry .bundle and .variants.
# 1. the step check and timing, base against the patch with 4 (its default) and 2 copies of each output sum, two rounds
#    alternated (the device pool had refused a dozen starts, which spent half the session's device time: a short call;
#    flat-on-counted.patch, every reader polling its own words with no sentinel first, was left out);
# 2. the best through the orchestrator (decode at 32 in / 256 out), against base, two rounds;
# 3. where the best beats base in the step: the ladder with it (the patch is the code a commit would hold);
# 4. the patch's step check on gpt2-medium (another width and head count), bf16 and int8.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=.variants/counted/layers.cu,.variants/counted/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
VARS="base c4=$V c2=$V,GPTBENCH_LAYER_REPLICAS=2"
timeout 180 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 step --layers persistent > $OUT/step-ab.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|rror|wait release|QKV |attention|MLP |barrier:" $OUT/step-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-180
sums=$(awk '/^=== /{v=$2} /FAIL/{bad[v]=1} /persistent layers positions 0..400/{for(i=1;i<=NF;i++) if($i=="us" && $(i-1)+0>0){s[v]+=$(i-1)}} END{for(v in s) if(!bad[v]) print s[v], v}' $OUT/step-ab.txt | sort -n)
echo "$sums"; date -u
rank=$(echo "$sums" | awk '$2 != "base" {print $2}')
pick=$(echo "$rank" | head -1)
sel=""; for p in $pick; do for v in $VARS; do [ "${v%%=*}" = "$p" ] && sel="$sel $v"; done; done
[ -n "$sel" ] && { timeout 100 scripts/gpu-ab --rounds 2 base $sel -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"; }
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
best=$(echo "$sums" | head -1 | awk '{print $2}')
if [ -n "$best" ] && [ "$best" != base ]; then
  for v in $VARS; do [ "${v%%=*}" = "$best" ] && item="$v"; done
  timeout 110 scripts/gpu-ab --rounds 1 "$item" -- run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder ($best) rc=$?"
  grep "done" $OUT/ladder.txt | sed 's/ eta.*//'
  cp /tmp/ladder.db $OUT/ 2>/dev/null
fi
timeout 70 scripts/gpu-ab --rounds 1 c4=$V -- check-kernels gpt2-medium step --layers persistent > $OUT/step-medium.txt 2>&1; echo "medium rc=$?"
grep -E "FAIL|ok  |positions 0..|rror" $OUT/step-medium.txt | cut -c1-180
date -u
