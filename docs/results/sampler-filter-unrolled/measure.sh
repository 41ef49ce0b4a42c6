#!/usr/bin/env bash
# Written in the nineteenth session, not yet run: on the GPU machine, top_k_by_count's filter unrolled over the 4 keys
# a thread holds again (filter-unrolled.patch), against HEAD. The nineteenth session's one-block draw (cf6c305) made it
# keep_and_rank's strided loop, and the 32-block draw's top-50 measured 0.2..0.35 us slower since
# (../sampler-kth-bound/). Here first: scripts/gpu-bundle; scripts/variant unrolled
# docs/results/sampler-filter-unrolled/filter-unrolled.patch; carry .bundle and .variants.
# 1. the sampling check, base and unrolled, two rounds (both draws: 32 blocks, and one block from the block keys);
# 2. decode through the orchestrator (the one-block draw's first selection uses the same filter), two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
U=.variants/unrolled/sampling.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 120 scripts/gpu-ab --rounds 2 base unrolled=$U -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|sampling|FAIL" $OUT/sampling-ab.txt | cut -c1-200
timeout 110 scripts/gpu-ab --rounds 2 base unrolled=$U -- run experiments/fused.yaml --db /tmp/unrolled-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/unrolled-ab.db $OUT/ 2>/dev/null
date -u
