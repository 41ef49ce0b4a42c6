#!/usr/bin/env bash
# The twenty-fourth session's third call: ../keys-counted/measure.sh (the draw waiting for the lm_head's count of blocks
# done; ~5 minutes), then ladder.sh (the code as it landed, with int8's slice copy back after the slice; ~2 minutes).
# Here first: prepare.sh; carry .bundle and .variants. Arguments pass --only to scripts/gpu-scripts.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" keys-counted/measure.sh:0 twenty-fourth-session/ladder.sh:430
