#!/usr/bin/env bash
# On the GPU machine, in call1.sh's call after the whole-head probe: the variant whose decode beat HEAD's by the most
# (scripts/ladder-winner), else HEAD, checked against HF transformers (../twenty-fourth-session/golden.sh, into golden/)
# and laddered (../twenty-sixth-session/ladder.sh, into ladder/): what landing it needs, in the same call.
set -uo pipefail
cd "$(dirname "$0")/../../.."
winner=$(scripts/ladder-winner whole-head-attention:whole1,whole2,whole2p,whole3p)
echo "landing: ${winner:-HEAD, no variant having beaten it in decode}" | tee $OUT/landing.txt
mkdir -p $OUT/golden $OUT/ladder
GOLDEN_VARIANT="$winner" OUT=$OUT/golden bash docs/results/twenty-fourth-session/golden.sh
LADDER_VARIANT="$winner" OUT=$OUT/ladder bash docs/results/twenty-sixth-session/ladder.sh
