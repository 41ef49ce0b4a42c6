#!/usr/bin/env bash
# The twenty-fourth session's fourth call: ../int8-qkv-copy-past/measure.sh (~4 minutes), ../keys-counted/determinism.sh
# (~1 minute). Here first: scripts/gpu-bundle; scripts/variant int8past
# docs/results/int8-qkv-copy-past/int8-qkv-copy-past.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" int8-qkv-copy-past/measure.sh:0 keys-counted/determinism.sh:480
