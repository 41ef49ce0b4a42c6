#!/usr/bin/env bash
# The twenty-sixth session's calls 3, 4 and 5: ../draw-held-keys/measure.sh (the draw's block keys held in
# registers, against 700cc8f: ln_f folded into the lm_head), then on the warm machine ../twenty-fourth-session/golden.sh
# (700cc8f against HF transformers: the fold changes every logit's rounding) and ./ladder.sh (with LADDER_VARIANT set
# where the draw was kept). Arguments pass --only to scripts/gpu-scripts.
# Here first: scripts/gpu-bundle (at 700cc8f); scripts/variant held ../draw-held-keys/held-keys.patch, heldstamps
# ../draw-held-keys/held-stamps.patch, stamps ../draw-stamps/draw-stamps.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" draw-held-keys/measure.sh:0 twenty-fourth-session/golden.sh:0 twenty-sixth-session/ladder.sh:0
