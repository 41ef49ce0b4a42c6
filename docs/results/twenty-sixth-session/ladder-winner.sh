#!/usr/bin/env bash
# On the GPU machine, in next-call.sh's call after its two probes: the ladder (ladder.sh) of the probe whose decode beat
# HEAD's by the larger share in its own same-call A/B (scripts/ladder-winner), else of HEAD. One call instead of two: a
# second machine start costs 1..2 minutes of device time and is sometimes refused.
set -uo pipefail
cd "$(dirname "$0")/../../.."
winner=$(scripts/ladder-winner block-keys-by-slot:slot draw-word-pool:lean)
echo "ladder of: ${winner:-base, neither probe having beaten HEAD in decode}"
LADDER_VARIANT="$winner" bash docs/results/twenty-sixth-session/ladder.sh
