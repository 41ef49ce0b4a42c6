#!/usr/bin/env bash
# Written in the twenty-second session for the next one (its device time was spent on the pool's refusals before the
# last probes were written): draw-block-bound/measure.sh (the draw bounded by the blocks' best keys),
# lm-head-three-blocks/measure.sh (the bf16 lm_head three blocks an SM), paired-rows/measure.sh (the products' two rows
# a warp on all its lanes), then
# lm-head-int8-stalls/measure.sh (Nsight Compute on the int8 and bf16 lm_head), then slice-copy-late/measure-again.sh
# (the late copy's three rounds). Here first: scripts/gpu-bundle; scripts/variant blockbound
# docs/results/draw-block-bound/draw-block-bound.patch; scripts/variant bbredux docs/results/draw-block-bound/draw-block-bound.patch
# docs/results/draw-block-bound/warp-max-redux.patch; scripts/variant lmh3
# docs/results/lm-head-three-blocks/lm-head-three-blocks.patch; scripts/variant paired
# docs/results/paired-rows/paired-rows.patch; scripts/variant earlycopy
# docs/results/slice-copy-late/early-copy.patch; carry .bundle and .variants. ~10 minutes (a call's limit: split it where the device allows less); the device tool leaves logs out
# when $OUT holds many files, so each script's key lines go to stdout too.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$OUT
for m in draw-block-bound/measure.sh lm-head-three-blocks/measure.sh paired-rows/measure.sh lm-head-int8-stalls/measure.sh slice-copy-late/measure-again.sh; do
  d="$ROOT/${m%%/*}"
  mkdir -p "$d"
  echo "##### $m at ${SECONDS}s"
  OUT="$d" bash "docs/results/$m"
done
date -u
