#!/usr/bin/env bash
# The twenty-eighth session's fourth call: ../mlp-up-copy-later/measure.sh (~2 minutes), then the landing of its winner
# (land.sh: golden check and ladder, ~3 minutes), nothing where neither variant beat HEAD. Here first: scripts/gpu-bundle
# and the two variants (../mlp-up-copy-later/measure.sh's header); carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
export LAND_PROBES=mlp-up-copy-later:fcproducts,fcslice LAND_HEAD=0
scripts/gpu-scripts "$@" mlp-up-copy-later/measure.sh:0 twenty-eighth-session/land.sh:170
