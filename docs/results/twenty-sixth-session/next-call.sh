#!/usr/bin/env bash
# Written in the twenty-sixth session for the next one (its device time ran out first): ../block-keys-by-slot/measure.sh
# (the lm_head's block keys by rank, the draw loading a third of their bytes before its pool; ~4 minutes), then
# ./ladder.sh (~1) of it where its bf16 decode beat HEAD's (scripts/decode-gate), else of HEAD. Arguments pass --only
# to scripts/gpu-scripts.
# Here first: what ../block-keys-by-slot/measure.sh's header says; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" block-keys-by-slot/measure.sh:0
V=slot=.variants/slot/common.cuh,.variants/slot/gemv.cu,.variants/slot/sampling.cu,.variants/slot/GpuWorker.dll
decode=/tmp/gpu-scripts/block-keys-by-slot/fused-ab.txt
[ -f $decode ] && LADDER_VARIANT=$(scripts/decode-gate $decode $V) && [ -n "$LADDER_VARIANT" ] && export LADDER_VARIANT
echo "ladder of: ${LADDER_VARIANT:-HEAD}"
scripts/gpu-scripts "$@" twenty-sixth-session/ladder.sh:0
