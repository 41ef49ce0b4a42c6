#!/usr/bin/env bash
# On the GPU machine: the one-block draw with its block keys held in registers (held-keys.patch) against HEAD.
# 1. the sampling check (every draw against softmax(top-k / T), greedy against argmax; the draw's time), two rounds;
# 2. the draw's stage clocks (../draw-stamps/), HEAD's draw and this one, five top-50 and top-100 draws each;
# 3. if it passed: the step check and timing (greedy in its graphs, and top-50's share over greedy), two rounds, and
#    decode where its step was faster (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant held docs/results/draw-held-keys/held-keys.patch; scripts/variant
# heldstamps docs/results/draw-held-keys/held-stamps.patch; scripts/variant stamps
# docs/results/draw-stamps/draw-stamps.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=held=.variants/held/sampling.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 2 base $V -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|one block|FAIL|rror:" $OUT/sampling-ab.txt | sed -E 's/ \(20000 draws.*\) error/ error/' | cut -c1-150
timeout 60 scripts/gpu-ab --rounds 1 stamps=.variants/stamps/sampling.cu,.variants/stamps/GpuWorker.dll \
  heldstamps=.variants/heldstamps/sampling.cu,.variants/heldstamps/GpuWorker.dll -- check-kernels gpt2 sampling > $OUT/stamps-ab.txt 2>&1
echo "stamps rc=$?"
grep -E "^===|draw stages" $OUT/stamps-ab.txt | sed -E 's/, one block from the lm.s block keys//' | cut -c1-250
if [ -z "$(scripts/check-gate $OUT/sampling-ab.txt '^ *ok' $V)" ]; then echo "held failed the sampling check: nothing more"; exit 0; fi
scripts/step-then-decode 2 150 90 $V
grep -E "^===|share over greedy" $OUT/step-ab.txt | cut -c1-200
date -u
