#!/usr/bin/env bash
# Written in the twenty-fifth session for the next one (its device time ran out first). First the code as it landed
# (the LayerNorms folded into the products, laddered as a029a73, and the grid barrier's poll at 16 ns, measured only as
# A/Bs) checked and laddered: ../twenty-third-session/kept-checks.sh (the gemv, sampling and step checks, then the engine
# ladder on an H100; ~2 minutes; its ladder replaces the top table's). Then two probes: ../draw-stamps/measure.sh (where
# the one-block top-k draw's time goes, ~1) and ../poll-relaxed/measure.sh (the grid barrier polled with relaxed reads,
# ~4). Arguments pass --only to scripts/gpu-scripts.
# Here first: scripts/gpu-bundle; scripts/variant stamps docs/results/draw-stamps/draw-stamps.patch; scripts/variant
# relaxed docs/results/poll-relaxed/poll-relaxed.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" twenty-third-session/kept-checks.sh:0 draw-stamps/measure.sh:300 poll-relaxed/measure.sh:330
