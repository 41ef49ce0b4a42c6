#!/usr/bin/env bash
# The twenty-sixth session's sixth call: ../draw-coalesced-keys/measure.sh (the draw's block keys read coalesced, against
# 61253f1: held in registers), then ./ladder.sh of the coalesced draw where its bf16 decode at 32 in / 256 out, summed
# over the rounds, beat HEAD's (it ran only if it passed the checks and its step was faster), else of HEAD.
# Here first: what ../draw-coalesced-keys/measure.sh's header says; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts draw-coalesced-keys/measure.sh:0
decode=/tmp/gpu-scripts/draw-coalesced-keys/fused-ab.txt
faster=$(awk '/^=== /{v=$2} /done gpt2 fused bf16 .* in=32 out=256/{t=$0; sub(/ tok\/s.*/, "", t); sub(/.* /, "", t); sum[v]+=t}
  END{print (sum["coal"] > sum["base"] && sum["base"] > 0) ? "yes" : "no"}' $decode 2>/dev/null)
echo "coal faster in bf16 decode: ${faster:-no}"
[ "$faster" = yes ] && export LADDER_VARIANT=coal=.variants/coal/sampling.cu
scripts/gpu-scripts twenty-sixth-session/ladder.sh:0
