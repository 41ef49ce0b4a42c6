#!/usr/bin/env bash
# On the GPU machine: the engine ladder (README's and BENCHMARKS.md's top table) on an H100, of the bundle's code with
# the files of LADDER_VARIANT (scripts/gpu-ab's NAME=FILE[,FILE...]; unset: the bundle as built). For a change kept
# from its same-call A/B, whose checks ran there, laddered in the same call before a bundle of it is built.
#   LADDER_VARIANT=held=.variants/held/sampling.cu scripts/gpu-scripts twenty-sixth-session/ladder.sh:0
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
grep -q H100 $OUT/gpu.txt || { echo "not an H100: no ladder"; exit 0; }
scripts/gpu-state $OUT/ladder-gpu.csv -- timeout 200 scripts/gpu-ab --rounds 1 "${LADDER_VARIANT:-base}" -- \
  run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1
echo "ladder (${LADDER_VARIANT:-base}) rc=$?"
grep -E "done " $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/ladder.db 2>/dev/null
date -u
