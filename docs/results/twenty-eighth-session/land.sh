#!/usr/bin/env bash
# On the GPU machine, in a call after probes: the variant whose decode beat HEAD's by the most (scripts/ladder-winner
# over LAND_PROBES, FOLDER:NAME[,NAME...] items, call1.sh's whole-head probe by default; bf16's decode, or LAND_DTYPE's
# for a change to one weight type's kernels), else HEAD (unless LAND_HEAD=0:
# then nothing), checked against HF transformers (../twenty-fourth-session/golden.sh, into golden/) and laddered
# (../twenty-sixth-session/ladder.sh, into ladder/): what landing it needs, in the same call.
set -uo pipefail
cd "$(dirname "$0")/../../.."
winner=$(scripts/ladder-winner --dtype "${LAND_DTYPE:-bf16}" ${LAND_PROBES:-whole-head-attention:whole1,whole2,whole2p,whole3p})
if [ -z "$winner" ] && [ "${LAND_HEAD:-1}" = 0 ]; then echo "landing: nothing, no variant having beaten HEAD" | tee $OUT/landing.txt; exit 0; fi
echo "landing: ${winner:-HEAD, no variant having beaten it in decode}" | tee $OUT/landing.txt
mkdir -p $OUT/golden $OUT/ladder
GOLDEN_VARIANT="$winner" OUT=$OUT/golden bash docs/results/twenty-fourth-session/golden.sh
LADDER_VARIANT="$winner" OUT=$OUT/ladder bash docs/results/twenty-sixth-session/ladder.sh
