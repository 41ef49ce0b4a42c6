#!/usr/bin/env bash
# Written for the next session (this one's device time ran out): ../int8-piece-after-products/measure.sh and
# ../bf16-mlp-up-at-arrival/measure.sh (~1.5 minutes each), then land.sh by int8's decode (LAND_DTYPE=int8): the int8
# probe where its int8 decode beat HEAD's, else HEAD (e43e277, whose int8 change call 4 measured as a same-call A/B but
# no ladder or golden check has run), through HF's golden check (every case) and the ladder (~3 minutes). A bf16 win of
# the second probe is applied and laddered by hand after it.
# Here first: scripts/gpu-bundle; scripts/variant piece docs/results/int8-piece-after-products/piece-after-products.patch;
# scripts/variant fcarrival docs/results/bf16-mlp-up-at-arrival/at-arrival.patch; carry .bundle and .variants.
# Arguments pass --only to gpu-scripts.
set -uo pipefail
cd "$(dirname "$0")/../../.."
export LAND_PROBES=int8-piece-after-products:piece LAND_DTYPE=int8 LAND_HEAD=1
scripts/gpu-scripts "$@" int8-piece-after-products/measure.sh:0 bf16-mlp-up-at-arrival/measure.sh:120 \
  twenty-eighth-session/land.sh:250
