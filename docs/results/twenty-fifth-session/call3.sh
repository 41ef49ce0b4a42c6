#!/usr/bin/env bash
# The twenty-fifth session's third call (and fourth, on the warm machine): ../norm-stats-late/measure.sh (~4 minutes),
# then on the bundle of a029a73 (the LayerNorms folded into the products) ../twenty-third-session/kept-checks.sh (the
# gemv, sampling and step checks and the engine ladder, ~2) and ../twenty-fourth-session/golden.sh (HF transformers'
# golden files made on the machine, check-golden of every engine, ~3). Arguments pass --only to scripts/gpu-scripts.
# Here first: scripts/gpu-bundle; scripts/variant late docs/results/norm-stats-late/late-stats.patch; carry .bundle and
# .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" norm-stats-late/measure.sh:0 twenty-third-session/kept-checks.sh:400 twenty-fourth-session/golden.sh:400
