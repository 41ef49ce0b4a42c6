#!/usr/bin/env bash
# Call 3 (H100): ../large-prefill/measure.sh (~4 minutes: gpt2-large's prefill, ours against TorchSharp's), then
# ../twenty-fourth-session/golden.sh (~2.5 minutes: HEAD, whose sampling.cu a27133e reworded after the last golden
# check, against HF transformers).
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" large-prefill/measure.sh:0 twenty-fourth-session/golden.sh:400
