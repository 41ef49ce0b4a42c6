#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant groups2 docs/results/untested-prefill-ttft/normed-groups-2.patch
#   scripts/variant groups6 docs/results/untested-prefill-ttft/normed-groups-6.patch
# and a call carrying .bundle and .variants that runs this script (~4 minutes with the machine's start): the prefill
# check once (its new in-chain line: each kind of launch's share in its real order), then the first-token check and
# the orchestrator with the LayerNorm inside ln_matmul at every length (inblock) and the normalised rows copied in 2 or 6
# cp.async groups instead of 4, rounds alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
VARS="base inblock=GPTBENCH_PREFILL_LAYERNORM_FROM=100000 groups2=.variants/groups2/prefill.cu groups6=.variants/groups6/prefill.cu"
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-run check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill.txt 2>&1; echo "prefill rc=$?"
grep -E "FAIL|positions \+ lm_head|in the chain" $OUT/prefill.txt | cut -c1-400
timeout 170 scripts/gpu-ab --rounds 2 $VARS -- check-kernels gpt2 ttft --dtype bf16 > $OUT/ttft-ab.txt 2>&1; echo "ttft rc=$?"
grep -E "^===|first token" $OUT/ttft-ab.txt | cut -c1-230
timeout 100 scripts/gpu-ab --rounds 2 $VARS -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
