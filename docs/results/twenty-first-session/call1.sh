#!/usr/bin/env bash
# Twenty-first session, call 1, on the GPU machine, with the bundle of HEAD: the twentieth session's call 3 reordered by
# what each can tell, with this session's block-top-keys/measure.sh second: slice-copy-late/measure.sh (the slice blocks'
# down-projection copy after their MLP barrier arrival), block-top-keys/measure.sh (the lm_head's best 3 keys a block,
# the one-block draw's top k from them), sampler-kth-bound/measure.sh (the one-block draw's phases stamped), bulk-copies/measure-rows.sh (the row
# fills alone by bulk copy), then the engine ladder of HEAD where the card is an H100 (the README's table is an H100's).
# Here first: scripts/gpu-bundle; scripts/variant slicelate docs/results/slice-copy-late/slice-copy-late.patch;
# scripts/variant slicewait docs/results/slice-copy-late/slice-copy-late.patch
# docs/results/slice-copy-late/slice-copy-late-wait.patch;
# scripts/variant topkeys docs/results/block-top-keys/block-top-keys.patch;
# scripts/variant drawstamps docs/results/sampler-kth-bound/draw-stamps.patch; scripts/variant rows
# docs/results/bulk-copies/bulk-rows.patch; scripts/variant rowsearly docs/results/bulk-copies/bulk-rows-early.patch;
# carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$OUT
for m in slice-copy-late/measure.sh block-top-keys/measure.sh sampler-kth-bound/measure.sh bulk-copies/measure-rows.sh; do
  mkdir -p "$ROOT/${m%%/*}"
  echo "##### $m"
  OUT="$ROOT/${m%%/*}" bash "docs/results/$m"
done
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $ROOT/gpu-ladder.txt; date -u | tee -a $ROOT/gpu-ladder.txt
if grep -q H100 $ROOT/gpu-ladder.txt; then
  timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $ROOT/ladder.txt 2>&1; echo "ladder rc=$?"
  grep -E "done " $ROOT/ladder.txt | sed 's/ eta.*//'
  cp /tmp/ladder.db $ROOT/ladder.db 2>/dev/null
fi
date -u
