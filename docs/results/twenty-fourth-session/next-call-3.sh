#!/usr/bin/env bash
# Written in the twenty-fourth session for the next one (its device time ended): ../gemv-warp-norm/measure.sh (~2
# minutes), ../folded-layernorm-again/measure.sh (~4), then ../twenty-third-session/kept-checks.sh on the bundle of HEAD:
# the gemv, sampling and step checks and the ladder of the code as it landed (ee6a0bd's one-reduction LayerNorm is not in
# the top table's ladder yet; ~3). ~9 minutes in all: arguments pass --only to scripts/gpu-scripts, so a first call can
# take `--only gemv-warp,twenty-third` and a later one on the warm machine `--only folded`.
# Here first: prepare-3.sh; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" gemv-warp-norm/measure.sh:0 folded-layernorm-again/measure.sh:200 twenty-third-session/kept-checks.sh:420
