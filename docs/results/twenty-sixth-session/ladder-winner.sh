#!/usr/bin/env bash
# On the GPU machine, in next-call.sh's call after its two probes: the ladder (ladder.sh) of the probe whose decode beat
# HEAD's by the larger share in its own same-call A/B (scripts/decode-gate --ratio on each folder's fused-ab.txt, which
# scripts/step-then-decode writes only where the step was faster), else of HEAD. One call instead of two: a second
# machine start costs 1..2 minutes of device time and is sometimes refused.
set -uo pipefail
cd "$(dirname "$0")/../../.."
work=/tmp/gpu-scripts
# A variant as scripts/gpu-ab takes it, NAME=FILE,..., from the files prepare.sh built into .variants/NAME.
files() { local f=(.variants/"$1"/*); (IFS=,; echo "$1=${f[*]}"); }
winner=$( { scripts/decode-gate --ratio $work/block-keys-by-slot/fused-ab.txt "$(files slot)" 2>/dev/null
            scripts/decode-gate --ratio $work/draw-word-pool/fused-ab.txt "$(files lean)" 2>/dev/null; } |
          sort -k2 -gr | head -1 | cut -d' ' -f1)
echo "ladder of: ${winner:-base, neither probe having beaten HEAD in decode}"
LADDER_VARIANT="$winner" bash docs/results/twenty-sixth-session/ladder.sh
