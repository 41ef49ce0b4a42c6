#!/usr/bin/env bash
# The twenty-sixth session's sixth call: ../draw-coalesced-keys/measure.sh (the draw's block keys read coalesced, against
# 61253f1: held in registers), then ./ladder.sh of the coalesced draw where its step beat HEAD's (scripts/step-gate),
# else of HEAD.
# Here first: what ../draw-coalesced-keys/measure.sh's header says; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts draw-coalesced-keys/measure.sh:0
V=coal=.variants/coal/sampling.cu
if [ -n "$(scripts/step-gate /tmp/gpu-scripts/draw-coalesced-keys/step-ab.txt $V 2>/dev/null)" ]; then export LADDER_VARIANT=$V; fi
scripts/gpu-scripts twenty-sixth-session/ladder.sh:0
