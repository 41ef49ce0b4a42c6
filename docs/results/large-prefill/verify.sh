#!/usr/bin/env bash
# On the GPU machine, after the one-wave rule became a per-model bound (gpt2-large: our prefill up to 64 tokens,
# TorchSharp's from 65): gpt2-large's TTFT at 32, 64 and 128 tokens in (verify.yaml), the new default against
# GPTBENCH_FUSED_PREFILL=torch (the old default for gpt2-large), two rounds alternated. Here first: scripts/gpu-bundle of
# the commit that made the change; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/gpu-state $OUT/verify-gpu.csv -- timeout 330 scripts/gpu-ab --rounds 2 base torch=GPTBENCH_FUSED_PREFILL=torch -- \
  run docs/results/large-prefill/verify.yaml --db /tmp/large-verify.db --fresh --plain > $OUT/verify-ab.txt 2>&1
echo "verify rc=$?"
grep -E "^===|done gpt2" $OUT/verify-ab.txt | sed 's/ eta.*//'
grep -m2 "fused: the prefill" $OUT/verify-ab.txt
cp /tmp/large-verify.db $OUT/verify-ab.db 2>/dev/null
date -u
