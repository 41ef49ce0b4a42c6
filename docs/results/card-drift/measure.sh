#!/usr/bin/env bash
# On the GPU machine: the same code's decode followed through SECONDS (default 200) on one card. drift.yaml (the fused
# engine's decode, bf16 and int8, 3 samples each) as a fresh sweep into one store again and again, the card's clocks,
# temperatures, power and clock-event reasons sampled through all of it (scripts/gpu-state): ../placement-pad/ saw
# every variant's decode step up ~0.4% together mid-call, with the SM and memory clocks unchanged.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
# Each sweep's trial lines (with their times) to drift.txt; a sweep started before SECONDS have passed runs to its end.
scripts/gpu-state $OUT/drift-gpu.csv -- bash -c 'end=$((SECONDS + $1))
  while [ $SECONDS -lt $end ]; do
    scripts/gpu-run run docs/results/card-drift/drift.yaml --db /tmp/drift.db --fresh --plain 2>&1 | grep -E "done gpt2" | sed "s/ eta.*//"
  done' follow "${1:-200}" > $OUT/drift.txt
cat $OUT/drift.txt
cp /tmp/drift.db $OUT/drift.db
date -u
