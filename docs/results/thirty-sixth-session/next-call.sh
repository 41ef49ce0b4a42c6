#!/usr/bin/env bash
# The next session's first call (H100 or H200: every comparison in it is within the call; ~7 minutes):
# ../barrier-floor/measure.sh (~10 s: a grid barrier's floor, five designs), then ../large-down-sixteenths/measure.sh
# (gpt2-large in bf16: 5/16 or 7/16 of the down-projection's copy at the MLP arrival, against three eighths), then
# ../bulk-copies/measure-rows.sh (GPT-2 small: the row fills by bulk copy, and issue-stall.cu) if the first two ended
# within 300 s; else that one is the second call (`scripts/gpu-scripts bulk-copies/measure-rows.sh:0`).
# Here first: scripts/gpu-bundle; rm -rf .variants/*; the scripts/variant lines in the two measure scripts' headers (ds5,
# ds7, rows); carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" barrier-floor/measure.sh:0 large-down-sixteenths/measure.sh:0 bulk-copies/measure-rows.sh:300
