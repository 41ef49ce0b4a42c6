#!/usr/bin/env bash
# Written in the twenty-third session for the next one (its device time went to the pool's refusals and to two calls of
# probes): kept-checks.sh (the checks and the ladder of the code as it landed), then the bf16 lm_head three blocks an SM
# on top of it (../lm-head-three-blocks/measure.sh: +0.4% bf16 decode on the code before), Nsight Compute on the int8
# and bf16 lm_head (../lm-head-int8-stalls/measure.sh) and the late copy's three rounds
# (../slice-copy-late/measure-again.sh). ~11 minutes in all: arguments pass --only to scripts/gpu-scripts, so that a
# first call can take `--only twenty-third,lm-head-three` and a later call on the warm machine the rest.
# Here first: prepare.sh (the bundle and the variants); carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" twenty-third-session/kept-checks.sh:0 lm-head-three-blocks/measure.sh:420 \
  lm-head-int8-stalls/measure.sh:380 slice-copy-late/measure-again.sh:430
