#!/usr/bin/env bash
# On the GPU machine, where the one-block top-k draw's time goes, stamped by thread 0 between its phases and printed
# every 512th step (a probe, not to keep). Written in the nineteenth session (draw-stamps.patch, for that draw, never
# run); the twenty-first session's draw (../block-top-keys/) is stamped by draw-stamps-top-keys.patch: the block keys'
# load, the selection, the race's block maximum, the finish. Here first: scripts/gpu-bundle; scripts/variant drawstamps
# docs/results/sampler-kth-bound/draw-stamps-top-keys.patch; carry .bundle and .variants.
# 1. the sampling check (randn logits; its timed loop runs the draw as in the engine);
# 2. a generation through the fused engine (GPT-2 shapes, seeded random weights), top-50 at T 0.5.
set -uo pipefail
cd "$(dirname "$0")/../../.."
S=.variants/drawstamps/sampling.cu # as scripts/variant prints it
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-ab --rounds 1 stamps=$S -- check-kernels gpt2 sampling > $OUT/stamps-sampling.txt 2>&1; echo "sampling rc=$?"
grep -E "one block|draw step" $OUT/stamps-sampling.txt | head -60 | cut -c1-200
timeout 60 scripts/gpu-ab --rounds 1 stamps=$S -- generate --model gpt2 --prompt "hello" --tokens 1000 --engine fused --top-k 50 --temperature 0.5 > $OUT/stamps-generate.txt 2>&1; echo "generate rc=$?"
grep -E "draw step" $OUT/stamps-generate.txt | head -10
date -u
