#!/usr/bin/env bash
# On the GPU machine: the grid barrier polled with relaxed reads and one acquire fence after (poll-relaxed.patch) against
# HEAD: the step check and timing, two rounds, then decode for a dtype whose step is faster (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant relaxed docs/results/poll-relaxed/poll-relaxed.patch; carry .bundle
# and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 150 90 relaxed=.variants/relaxed/common.cuh
date -u
