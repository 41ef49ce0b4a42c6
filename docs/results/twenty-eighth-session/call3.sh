#!/usr/bin/env bash
# The twenty-eighth session's third call (profiles, no change to keep): ../layer-stalls-again/measure.sh (~3 minutes),
# then ../input-stamps/measure.sh (~1). Here first: scripts/gpu-bundle; scripts/variant inputstamps
# docs/results/input-stamps/input-stamps.patch; carry .bundle and .variants. Arguments pass --only to gpu-scripts.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" input-stamps/measure.sh:0 layer-stalls-again/measure.sh:200
