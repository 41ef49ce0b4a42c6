#!/usr/bin/env bash
# Nineteenth session, call 2, on the GPU machine (the same H100 as call 1, `../counted-sums/call1.sh`, a minute after
# it): the ladder of HEAD (3bcbdd7), whose int8 prefill splits K in 2 parts again, which no ladder had measured.
# Here first: scripts/gpu-bundle (at HEAD); carry .bundle. (Run as one command line; this file records it.)
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep "done" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/
date -u
