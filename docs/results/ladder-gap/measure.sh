#!/usr/bin/env bash
# On the GPU machine: why the ladder's fused decode reads ~0.4% under a fused-only sweep of the same code on the same
# card (BENCHMARKS.md, "Not measured yet"). Four sweeps of the bundle as built, alternated for ROUNDS rounds (default 2):
# experiments/fused.yaml (3 samples), experiments/engine-ladder.yaml (eager, static, cuda-graph, fused; 5 samples), and
# the ladder with the fused engine alone (ladder-fused-only.yaml) and after cuda-graph only (ladder-after-graph.yaml).
# Each sweep's log, store and the card's state through it (scripts/gpu-state) go to $OUT/NAME-ROUND.*; the GPU's
# compute processes are listed every quarter second through all of it ($OUT/apps.txt), to see whether an earlier
# engine's process is still on the card while the fused one runs.
set -uo pipefail
cd "$(dirname "$0")/../../.."
here=docs/results/ladder-gap
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
while true; do
  echo "$(date -u +%T.%N | cut -c1-12) $(nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader | tr '\n' ';')"
  sleep 0.25
done > $OUT/apps.txt 2>&1 &
lister=$!
for round in $(seq "${ROUNDS:-2}"); do
  for sweep in experiments/fused.yaml experiments/engine-ladder.yaml $here/ladder-fused-only.yaml $here/ladder-after-graph.yaml; do
    name=$(basename "$sweep" .yaml)-$round
    scripts/gpu-state $OUT/$name-gpu.csv -- timeout 120 scripts/gpu-run run "$sweep" --db /tmp/$name.db --fresh --plain > $OUT/$name.txt 2>&1
    echo "=== $name rc=$?"
    grep -E "done gpt2 fused" $OUT/$name.txt | sed 's/ eta.*//'
    cp /tmp/$name.db $OUT/$name.db 2>/dev/null
  done
done
kill $lister
date -u
