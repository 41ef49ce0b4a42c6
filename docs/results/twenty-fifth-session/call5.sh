#!/usr/bin/env bash
# The twenty-fifth session's fifth call: ../norm-stats-late/measure-int8-only.sh (~4 minutes), then
# ../l2-set-aside-again/measure.sh (~2). Arguments pass --only to scripts/gpu-scripts.
# Here first: scripts/gpu-bundle; scripts/variant int8late docs/results/norm-stats-late/int8-only.patch; carry .bundle
# and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" norm-stats-late/measure-int8-only.sh:0 l2-set-aside-again/measure.sh:400
