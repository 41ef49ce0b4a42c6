#!/usr/bin/env bash
# On the GPU machine: every block of a head's group computing the head's whole attention while the context is short
# (whole-head.patch: up to one pass of 64 positions; passes-2.patch, passes-3.patch: two or three), against HEAD's
# slices merged by the projection's blocks; prefetch-passes.patch also prefetches the later passes' cache rows into L2
# before the wait. The step check (every variant's logits and cache rows against Gpt2.Decode in fp32, positions
# 0..400) and its timing, two rounds, then decode for every variant that passed it, faster or not: the step's positions
# 0..400 dilute a change to the first 64..192 (scripts/step-then-decode --passed).
# Here first: prepare.sh; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode --passed 2 150 200 whole1=.variants/whole1/layers.cu whole2=.variants/whole2/layers.cu \
  whole2p=.variants/whole2p/layers.cu whole3p=.variants/whole3p/layers.cu
date -u
