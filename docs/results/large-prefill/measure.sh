#!/usr/bin/env bash
# On the GPU machine: gpt2-large's prefill through our kernels against TorchSharp's graph, which the fused engine takes
# for it (PrefillKernels.Faster's one-wave rule, set on the sixth session's prefill). 1. The prefill check of our
# kernels at gpt2-large's shapes (against Gpt2.Prefill in fp32; 16, 128 and 1024 positions), bf16 and int8. 2. TTFT at
# 32 and 128 tokens in (ttft.yaml), the engine's default against GPTBENCH_FUSED_PREFILL=kernels, two rounds alternated.
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-ab --rounds 1 base -- check-kernels gpt2-large prefill > $OUT/prefill.txt 2>&1; echo "prefill check rc=$?"
grep -E "prefill|FAIL|rror" $OUT/prefill.txt | cut -c1-170
scripts/gpu-state $OUT/ttft-gpu.csv -- timeout 300 scripts/gpu-ab --rounds 2 base ours=GPTBENCH_FUSED_PREFILL=kernels -- \
  run docs/results/large-prefill/ttft.yaml --db /tmp/large-ttft.db --fresh --plain > $OUT/ttft-ab.txt 2>&1
echo "ttft rc=$?"
grep -E "^===|done gpt2" $OUT/ttft-ab.txt | sed 's/ eta.*//'
cp /tmp/large-ttft.db $OUT/ttft-ab.db 2>/dev/null
date -u
