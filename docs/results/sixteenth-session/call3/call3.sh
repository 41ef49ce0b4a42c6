#!/usr/bin/env bash
# Call 3 (the command as run, from the repository root): the sampler's one-block draw from the lm_head's block keys
# (docs/results/sampler-block-best/measure.sh, its outputs in best/), then the ladder with both kept changes
# as a variant: the K split in 4 parts and the sampler without its system fence.
set -uo pipefail
cd "$(dirname "$0")/../../../.."
mkdir -p $OUT/best && OUT=$OUT/best timeout 300 bash docs/results/sampler-block-best/measure.sh; rm -f $OUT/best/gpu.txt
timeout 100 scripts/gpu-ab --rounds 1 kept=.variants/kparts/prefill.cu,.variants/kparts/GpuWorker.dll,.variants/nofence/sampling.cu,GPTBENCH_PREFILL_K_PARTS=4 -- run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done gpt2|finished" $OUT/ladder.txt | sed 's/, eta.*//'; cp /tmp/ladder.db $OUT/
nvidia-smi --query-gpu=name,uuid --format=csv,noheader; date -u
