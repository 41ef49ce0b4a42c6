#!/usr/bin/env bash
# Call 2 (H100): ../ladder-gap/measure.sh (~4 minutes: why the ladder's fused decode reads under a fused-only sweep),
# then ../bf16-mlp-up-at-arrival/measure.sh (~3 minutes; skipped in call 1, where the int8 probe before it ran long).
# Here first: scripts/gpu-bundle; scripts/variant fcarrival docs/results/bf16-mlp-up-at-arrival/at-arrival.patch;
# carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" ladder-gap/measure.sh:0 bf16-mlp-up-at-arrival/measure.sh:330
