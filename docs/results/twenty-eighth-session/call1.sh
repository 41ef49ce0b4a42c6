#!/usr/bin/env bash
# The twenty-eighth session's device call: the whole-head attention probe (../whole-head-attention/measure.sh, ~3
# minutes), then the landing of its winner or of HEAD (land.sh: golden check and ladder, ~3 minutes).
# Here first: ../whole-head-attention/prepare.sh; carry .bundle and .variants. Arguments pass --only to gpu-scripts.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" whole-head-attention/measure.sh:0 twenty-eighth-session/land.sh:360
