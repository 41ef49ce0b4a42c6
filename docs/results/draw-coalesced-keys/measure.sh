#!/usr/bin/env bash
# On the GPU machine: the one-block draw reading its block keys coalesced (coalesced.patch) against HEAD (61253f1: held in registers).
# 1. the sampling check (every draw against softmax(top-k / T), greedy against argmax; the draw's time), two rounds;
# 2. the draw's stage clocks (../draw-stamps/), HEAD's draw and this one (../draw-held-keys/ stamped), five top-50 and top-100 draws each;
# 3. if it passed: the step check and timing (greedy in its graphs, and top-50's share over greedy), two rounds, and
#    decode where its step was faster (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant coal docs/results/draw-coalesced-keys/coalesced.patch; scripts/variant
# coalstamps docs/results/draw-coalesced-keys/coalesced-stamps.patch; scripts/variant heldstamps
# docs/results/draw-coalesced-keys/held-stamps.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=coal=.variants/coal/sampling.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 2 base $V -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|one block|FAIL|rror:" $OUT/sampling-ab.txt | sed -E 's/ \(20000 draws.*\) error/ error/' | cut -c1-150
timeout 60 scripts/gpu-ab --rounds 1 heldstamps=.variants/heldstamps/sampling.cu,.variants/heldstamps/GpuWorker.dll \
  coalstamps=.variants/coalstamps/sampling.cu,.variants/coalstamps/GpuWorker.dll -- check-kernels gpt2 sampling > $OUT/stamps-ab.txt 2>&1
echo "stamps rc=$?"
grep -E "^===|draw stages" $OUT/stamps-ab.txt | sed -E 's/, one block from the lm.s block keys//' | cut -c1-250
if [ -z "$(scripts/check-gate $OUT/sampling-ab.txt '^ *ok' $V)" ]; then echo "coal failed the sampling check: nothing more"; exit 0; fi
scripts/step-then-decode 2 150 90 $V
grep -E "^===|share over greedy" $OUT/step-ab.txt | cut -c1-200
date -u
