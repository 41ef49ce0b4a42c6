#!/usr/bin/env bash
# On the GPU machine: the lm_head writes each block's best 3 keys, and the one-block draw takes the top k from them all
# (block-top-keys.patch), against HEAD. Here first: scripts/gpu-bundle; scripts/variant topkeys
# docs/results/block-top-keys/block-top-keys.patch; carry .bundle and .variants.
# 1. the gemv check of topkeys (the lm_head's 3 keys a block exact, bf16 and int8) and the sampling check, base against
#    topkeys, two rounds (topkeys adds the one-block draw over logits whose top 50 lie in two blocks);
# 2. if every check of topkeys passed: decode through the orchestrator, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
T=.variants/topkeys/common.cuh,.variants/topkeys/gemv.cu,.variants/topkeys/sampling.cu,.variants/topkeys/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 topkeys=$T -- check-kernels gpt2 gemv > $OUT/gemv.txt 2>&1; echo "gemv rc=$?"
grep -E "gemv_ln|FAIL|rror:" $OUT/gemv.txt | cut -c1-200
timeout 120 scripts/gpu-ab --rounds 2 base topkeys=$T -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|sampling|FAIL|rror:" $OUT/sampling-ab.txt | cut -c1-200
if awk '/^=== topkeys /{p=1; next} /^=== /{p=0} p&&/FAIL|Exception|rror:/{bad++} p&&/^ *ok/{ok++} END{exit !(ok>0 && bad==0)}' $OUT/gemv.txt $OUT/sampling-ab.txt; then
  timeout 110 scripts/gpu-ab --rounds 2 base topkeys=$T -- run experiments/fused.yaml --db /tmp/topkeys-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
  grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
  cp /tmp/topkeys-ab.db $OUT/fused-ab.db 2>/dev/null
else
  echo "topkeys failed a check: no decode"
fi
date -u
