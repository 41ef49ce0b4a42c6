#!/usr/bin/env bash
# On the GPU machine: where the one-block top-k draw's time goes. draw-stamps.patch has thread 0 of the draw take
# clock64 at each stage (after the wait for the lm_head, the keys staged, the pool's rounds and barrier, the bound's rank
# and barrier, the keep and its barrier, the ranks and race, the block maximum, the token written) and the sampling check
# print five draws' stage times in cycles after its timing, for top-50 and top-100 (spread logits).
# Here first: scripts/gpu-bundle; scripts/variant stamps docs/results/draw-stamps/draw-stamps.patch; carry .bundle and
# .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.sm,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 stamps=.variants/stamps/sampling.cu,.variants/stamps/GpuWorker.dll -- check-kernels gpt2 sampling > $OUT/sampling-stamps.txt 2>&1
echo "sampling rc=$?"
grep -E "one block|draw stages|FAIL|rror:" $OUT/sampling-stamps.txt | sed -E 's/ \(20000 draws.*\) error/ error/' | cut -c1-260
date -u
