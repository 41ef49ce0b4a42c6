#!/usr/bin/env bash
# Ran as the thirty-third session's first call (`../thirty-third-session/call1/`). Written as the next session's first
# call (H100 or H200: every comparison in it is within the call; up to ~10 minutes):
# ../large-bf16-two-buffers/measure.sh (gpt2-large in bf16 through the persistent layer kernel in two weight buffers,
# against five launches a layer), then
# ../down-eight-outputs/measure.sh (the down-projection in units of eight outputs) if the first ended within 280 s;
# else that one is the second call (`scripts/gpu-scripts down-eight-outputs/measure.sh:0`).
# Here first: scripts/gpu-bundle and the scripts/variant lines in both measure.sh headers; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" large-bf16-two-buffers/measure.sh:0 down-eight-outputs/measure.sh:280
