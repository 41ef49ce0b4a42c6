#!/usr/bin/env bash
# The twenty-second session's second call (after twenty-first-session/call2.sh, the ladder and two measurements), on the
# GPU machine with the bundle of HEAD: draw-ab.sh (lm-head-64-rows, draw-1024-threads), then replicas-again/measure.sh.
# Here first: scripts/gpu-bundle; the variants of draw-ab.sh's header; the rep2 and rep3 layers.cu
# (replicas-again/measure.sh's header); carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$OUT
for m in twenty-second-session/draw-ab.sh replicas-again/measure.sh; do
  d="$ROOT/$(basename "$(dirname "$m")")"
  mkdir -p "$d"
  echo "##### $m"
  OUT="$d" bash "docs/results/$m"
done
date -u
