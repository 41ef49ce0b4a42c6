#!/usr/bin/env bash
# The twenty-second session's one call, with ~14 minutes of device time left after the pool refused starts for 45:
# draw-ab.sh (lm-head-64-rows, draw-1024-threads), replicas-again/measure.sh, then the ladder of HEAD where the card is an
# H100 (README's table predates the twenty-first session's two kept changes), and, while under 420 s, the draw's stamps
# (sampler-kth-bound/measure.sh): in that order, so that a call cut short keeps the probes. twenty-first-session/call2.sh's
# third part (slice-copy-late/measure-again.sh) waits.
# Here first: scripts/gpu-bundle; the variants of draw-ab.sh's and replicas-again/measure.sh's headers; scripts/variant
# drawstamps docs/results/sampler-kth-bound/draw-stamps-top-keys.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$OUT
for m in twenty-second-session/draw-ab.sh replicas-again/measure.sh ladder sampler-kth-bound/measure.sh; do
  if [ "$m" = ladder ]; then
    nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $ROOT/gpu-ladder.txt; date -u | tee -a $ROOT/gpu-ladder.txt
    if grep -q H100 $ROOT/gpu-ladder.txt; then
      timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $ROOT/ladder.txt 2>&1; echo "ladder rc=$?"
      grep -E "done " $ROOT/ladder.txt | sed 's/ eta.*//'
      cp /tmp/ladder.db $ROOT/ladder.db 2>/dev/null
    fi
    continue
  fi
  if [ "$m" = sampler-kth-bound/measure.sh ] && [ $SECONDS -gt 420 ]; then echo "skipped $m at ${SECONDS}s"; continue; fi
  d="$ROOT/$(basename "$(dirname "$m")")"
  mkdir -p "$d"
  echo "##### $m at ${SECONDS}s"
  OUT="$d" bash "docs/results/$m"
done
date -u
