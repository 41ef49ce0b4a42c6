#!/usr/bin/env bash
# Written in the twenty-fourth session for the next one (its device time ended): ../gemv-warp-norm/measure.sh (~2
# minutes), then ../twenty-third-session/kept-checks.sh on the bundle of HEAD: the gemv, sampling and step checks and the
# ladder of the code as it landed (ee6a0bd's one-reduction LayerNorm is not in the top table's ladder yet; ~3 minutes).
# Here first: scripts/gpu-bundle; scripts/variant warpnorm docs/results/gemv-warp-norm/warp-norm.patch; carry .bundle
# and .variants. Arguments pass --only to scripts/gpu-scripts.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" gemv-warp-norm/measure.sh:0 twenty-third-session/kept-checks.sh:360
