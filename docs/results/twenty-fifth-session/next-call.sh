#!/usr/bin/env bash
# Written in the twenty-fifth session for the next one (its device time ran out first): the code as it landed (8a9ed78
# and after: the LayerNorms folded into the products, laddered as a029a73, and the grid barrier's poll at 16 ns,
# measured only as A/Bs) checked and laddered: ../twenty-third-session/kept-checks.sh (the gemv, sampling and step checks,
# then the engine ladder on an H100; ~2 minutes). Its ladder replaces the top table's.
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" twenty-third-session/kept-checks.sh:0
