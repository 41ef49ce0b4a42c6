#!/usr/bin/env bash
# The next session's first call (H100, ~5 minutes): ../large-bf16-two-buffers/measure.sh (gpt2-large in bf16 through
# the persistent layer kernel in two weight buffers, against five launches a layer).
# Here first: scripts/gpu-bundle and the two scripts/variant lines in ../large-bf16-two-buffers/measure.sh; carry .bundle
# and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" large-bf16-two-buffers/measure.sh:0
