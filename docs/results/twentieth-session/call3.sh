#!/usr/bin/env bash
# Twentieth session, call 3, on the GPU machine, with the bundle of HEAD (the filter-unrolled sampler kept): first
# slice-copy-late/measure.sh (the slice blocks' down-projection copy after their MLP barrier arrival), then
# bulk-copies/measure-rows.sh (the row fills alone by bulk copy), then sampler-kth-bound/measure.sh (the one-block
# draw's phases stamped), then the engine ladder of HEAD. Here first: scripts/gpu-bundle; scripts/variant rows
# docs/results/bulk-copies/bulk-rows.patch; scripts/variant rowsearly docs/results/bulk-copies/bulk-rows-early.patch;
# scripts/variant drawstamps docs/results/sampler-kth-bound/draw-stamps.patch; scripts/variant slicelate
# docs/results/slice-copy-late/slice-copy-late.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
mkdir -p $OUT/slice-copy-late $OUT/bulk-copies
OUT=$OUT/slice-copy-late bash docs/results/slice-copy-late/measure.sh
OUT=$OUT/bulk-copies bash docs/results/bulk-copies/measure-rows.sh
mkdir -p $OUT/sampler-kth-bound
OUT=$OUT/sampler-kth-bound bash docs/results/sampler-kth-bound/measure.sh
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu-ladder.txt; date -u | tee -a $OUT/gpu-ladder.txt
timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done " $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/ladder.db 2>/dev/null
date -u
