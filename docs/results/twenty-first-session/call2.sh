#!/usr/bin/env bash
# Written in the twenty-first session for the next call, on the GPU machine with the bundle of HEAD: first the engine
# ladder of HEAD where the card is an H100 (the README's table predates the two changes kept this session), then
# slice-copy-late/measure-again.sh (the late copy against its absence, three rounds: int8's -0.75% or noise?), then
# sampler-kth-bound/measure.sh (the new draw's phases stamped). Here first: scripts/gpu-bundle; scripts/variant earlycopy
# docs/results/slice-copy-late/early-copy.patch; scripts/variant drawstamps
# docs/results/sampler-kth-bound/draw-stamps-top-keys.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$OUT
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $ROOT/gpu-ladder.txt; date -u | tee -a $ROOT/gpu-ladder.txt
if grep -q H100 $ROOT/gpu-ladder.txt; then
  timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $ROOT/ladder.txt 2>&1; echo "ladder rc=$?"
  grep -E "done " $ROOT/ladder.txt | sed 's/ eta.*//'
  cp /tmp/ladder.db $ROOT/ladder.db 2>/dev/null
fi
for m in slice-copy-late/measure-again.sh sampler-kth-bound/measure.sh; do
  mkdir -p "$ROOT/${m%%/*}"
  echo "##### $m"
  OUT="$ROOT/${m%%/*}" bash "docs/results/$m"
done
date -u
