#!/usr/bin/env bash
# Call 3 (H100): ../placement-pad/measure.sh (~5 minutes): whether the buffers' place in the card's memory moves decode.
# Here first: scripts/gpu-bundle; scripts/variant pad docs/results/placement-pad/pad.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" placement-pad/measure.sh:0
