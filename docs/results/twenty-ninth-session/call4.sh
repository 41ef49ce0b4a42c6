#!/usr/bin/env bash
# Call 4 (H100): ../card-drift/measure.sh (~4 minutes): the same code's decode followed through minutes on one card.
# Carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" card-drift/measure.sh:0
