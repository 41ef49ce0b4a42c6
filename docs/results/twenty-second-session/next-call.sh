#!/usr/bin/env bash
# Written in the twenty-second session for the next one (its device time was spent on the pool's refusals before the
# last probes were written): draw-block-bound/measure.sh (the draw bounded by the blocks' best keys),
# layer-blocks/measure.sh (the layer kernel on 131 or 120 blocks), twenty-second-session/layers-ab.sh (../paired-rows/, ../qkv-copy-after-pass/), lm-head-three-blocks/measure.sh (the bf16
# lm_head three blocks an SM), then
# lm-head-int8-stalls/measure.sh (Nsight Compute on the int8 and bf16 lm_head), then slice-copy-late/measure-again.sh
# (the late copy's three rounds). Here first: prepare.sh (the bundle and the variants); carry .bundle and .variants.
# ~15 minutes in all, so the later ones start only while time is left (below) and wait for a second call otherwise.
# The device tool brings back at most 8 files, so every script writes under a work folder and, after each, the whole
# folder is packed into $OUT/results.tgz (Nsight Compute's reports left out where they would pass 15 MiB); each
# script's key lines go to stdout too.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=/tmp/next-call
mkdir -p "$ROOT" # kept across calls on a warm machine: each pack holds every call's results so far
# Packs ROOT into $OUT/results.tgz, replacing the last pack.
pack() {
  tar -C "$ROOT" -czf "$OUT/results.tmp" . && [ "$(stat -c %s "$OUT/results.tmp")" -le 15728640 ] ||
    tar -C "$ROOT" --exclude='*.ncu-rep' -czf "$OUT/results.tmp" .
  mv "$OUT/results.tmp" "$OUT/results.tgz"
}
# A script starts only while the call is young enough for it to end within the 600 s limit (its seconds at most).
# Arguments, if any: the scripts to run this call (their order and limits as below), e.g. `next-call.sh layer-blocks`.
all="draw-block-bound/measure.sh:0 layer-blocks/measure.sh:250 twenty-second-session/layers-ab.sh:330 lm-head-three-blocks/measure.sh:480 lm-head-int8-stalls/measure.sh:380 slice-copy-late/measure-again.sh:430"
chosen=""
for m in $all; do
  for want in "$@"; do [[ $m == $want/* ]] && chosen="$chosen $m"; done
done
for m in ${chosen:-$all}; do
  latest=${m#*:} m=${m%:*}
  if [ $SECONDS -gt $latest ] && [ $latest -gt 0 ]; then echo "##### skipped $m at ${SECONDS}s"; continue; fi
  d="$ROOT/$(basename "$(dirname "$m")")"
  mkdir -p "$d"
  echo "##### $m at ${SECONDS}s"
  OUT="$d" bash "docs/results/$m"
  pack
done
date -u
