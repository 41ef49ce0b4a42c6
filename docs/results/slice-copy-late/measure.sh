#!/usr/bin/env bash
# On the GPU machine: the blocks that compute attention slices issue their down-projection's weight copy after their
# MLP barrier arrival instead of after their slice (slice-copy-late.patch), against HEAD; and slicewait, that with the
# LayerNorm 2 of a slice block not waiting for that copy, only the down-projection (slice-copy-late-wait.patch on top).
# Here first: scripts/gpu-bundle; scripts/variant slicelate docs/results/slice-copy-late/slice-copy-late.patch;
# scripts/variant slicewait docs/results/slice-copy-late/slice-copy-late.patch
# docs/results/slice-copy-late/slice-copy-late-wait.patch; carry .bundle and .variants.
# 1. the step check and timing, base against slicelate and slicewait, two rounds;
# 2. those that passed their check and beat base's bf16 or int8 step: decode through the orchestrator, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
S=.variants/slicelate/layers.cu W=.variants/slicewait/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 160 130 slicelate=$S slicewait=$W
date -u
