#!/usr/bin/env bash
# Written in the twenty-fifth session for the next one (its device time ran out first). First the code as it landed
# (the LayerNorms folded into the products, laddered as a029a73, and the grid barrier's poll at 16 ns, measured only as
# A/Bs) checked and laddered: ../twenty-third-session/kept-checks.sh (the gemv, sampling and step checks, then the engine
# ladder on an H100; ~2 minutes; its ladder replaces the top table's). Then three probes: ../draw-stamps/measure.sh
# (where the one-block top-k draw's time goes, ~1), ../poll-relaxed/measure.sh (the grid barrier polled with relaxed
# reads, ~4) and ../lm-head-folded-norm/measure.sh (ln_f folded into the lm_head, ~4). ~11 minutes in all: arguments pass
# --only to scripts/gpu-scripts, so a first call can take `--only twenty-third,draw-stamps,poll-relaxed` and a later one
# on the warm machine `--only lm-head`.
# Here first: scripts/gpu-bundle; scripts/variant stamps docs/results/draw-stamps/draw-stamps.patch; scripts/variant
# relaxed docs/results/poll-relaxed/poll-relaxed.patch; scripts/variant lmfold
# docs/results/lm-head-folded-norm/lm-head-fold.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" twenty-third-session/kept-checks.sh:0 draw-stamps/measure.sh:300 poll-relaxed/measure.sh:330 \
  lm-head-folded-norm/measure.sh:330
