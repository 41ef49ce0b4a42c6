#!/usr/bin/env bash
# Written in the twenty-sixth session for the next one (its device time ran out first): ../block-keys-by-slot/measure.sh
# (the lm_head's block keys by rank, the draw loading a third of their bytes before its pool; ~3.5 minutes), then
# ../draw-word-pool/measure.sh (the same with the pool on the keys' high words and one barrier fewer; ~3). Each is an
# A/B against HEAD in the same call, so the two compare. Then, in the same call, the ladder of the faster where it
# beat HEAD's decode, else of HEAD (ladder-winner.sh; ~1.5 minutes). Where it was cut off, on a warm machine:
#   LADDER_VARIANT=NAME=FILES scripts/gpu-scripts twenty-sixth-session/ladder.sh:0
# Arguments pass --only to scripts/gpu-scripts.
# Here first: ./prepare.sh (the bundle and the variants slot, slotstamps, heldstamps, lean, leanstamps);
# carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" block-keys-by-slot/measure.sh:0 draw-word-pool/measure.sh:330 \
  twenty-sixth-session/ladder-winner.sh:500
