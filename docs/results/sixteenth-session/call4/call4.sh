#!/usr/bin/env bash
# Call 4, on the bundle of ee00de3 (K split in 2 parts by default, the sampler without its system fence, the in-chain
# line's fix): the orchestrator's TTFT with 2 parts (base), 4 and none, three rounds; the ladder; the sampler's
# one-block draw from the lm_head's block keys rebased on it (docs/results/sampler-block-best/): its check,
# orchestrator and step; the prefill check's in-chain line.
set -uo pipefail
cd "$(dirname "$0")/../../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 100 scripts/gpu-ab --rounds 3 base parts4=GPTBENCH_PREFILL_K_PARTS=4 parts1=GPTBENCH_PREFILL_K_PARTS=1 -- run experiments/fused.yaml --db /tmp/parts.db --fresh --plain > $OUT/parts-ab.txt 2>&1; echo "parts rc=$?"
cp /tmp/parts.db $OUT/
# The ladder on the bundle as committed (README's results).
timeout 60 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done gpt2 fused|finished" $OUT/ladder.txt | sed 's/, eta.*//'; cp /tmp/ladder.db $OUT/
B=.variants/best/common.cuh,.variants/best/gemv.cu,.variants/best/sampling.cu,.variants/best/GpuWorker.dll
timeout 40 scripts/gpu-ab --rounds 1 best=$B -- check-kernels gpt2 sampling > $OUT/best-checks.txt 2>&1; echo "checks rc=$?"
grep -E "FAIL|ok  " $OUT/best-checks.txt | cut -c1-160
timeout 40 scripts/gpu-ab --rounds 2 base best=$B -- run experiments/fused.yaml --db /tmp/best.db --fresh --plain > $OUT/best-ab.txt 2>&1; echo "best rc=$?"
cp /tmp/best.db $OUT/
timeout 70 scripts/gpu-ab --rounds 2 base best=$B -- check-kernels gpt2 step --layers persistent > $OUT/best-step.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|positions 0..400|its share" $OUT/best-step.txt | cut -c1-200
date -u
# The prefill check's "in the chain" line, its events now recorded as graph nodes (it printed "not measured" in call 1).
timeout 45 scripts/gpu-ab --rounds 1 base -- check-kernels gpt2 prefill --dtype bf16 > $OUT/prefill.txt 2>&1; echo "prefill rc=$?"
grep -E "FAIL|positions \+ lm_head|in the chain" $OUT/prefill.txt | cut -c1-400
date -u
