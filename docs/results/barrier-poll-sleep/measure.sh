#!/usr/bin/env bash
# On the GPU machine: the grid barrier's poll sleeping 16 or 64 ns between reads of the counter instead of 32
# (sleep-16.patch, sleep-64.patch; common.cuh's wait_for) against HEAD: the step check and timing, two rounds, then
# decode for a dtype whose step is faster (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant sleep16 docs/results/barrier-poll-sleep/sleep-16.patch; the same for
# 64; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 200 90 sleep16=.variants/sleep16/common.cuh sleep64=.variants/sleep64/common.cuh
date -u
