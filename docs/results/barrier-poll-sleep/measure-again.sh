#!/usr/bin/env bash
# On the GPU machine, after measure.sh: 16 ns (the faster there) against 8 (sleep-8.patch) and HEAD's 32, the same way.
# Here first: scripts/variant sleep16 ... and sleep8 docs/results/barrier-poll-sleep/sleep-8.patch; carry .bundle and
# .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu-again.txt; date -u | tee -a $OUT/gpu-again.txt
OUT=$OUT/again; mkdir -p $OUT
scripts/step-then-decode 2 150 90 sleep16=.variants/sleep16/common.cuh sleep8=.variants/sleep8/common.cuh
date -u
