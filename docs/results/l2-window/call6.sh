#!/usr/bin/env bash
# Session 12, call 6: the ladder with the bundle (HEAD 37423c8) and with the lm_head's L2 window (default, a third
# of L2), one after the other on one machine (call 5's eager and static rows were slower than any earlier ladder's).
set -uo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call6.txt; date -u | tee -a $OUT/gpu-call6.txt
timeout 280 scripts/gpu-ab --rounds 1 base default=.variants/s12/win/GpuWorker.dll -- run experiments/engine-ladder.yaml --db /tmp/ladder-ab.db --fresh --plain > $OUT/ladder-ab.txt 2>&1; echo "ladder rc=$?"
grep -E "^===|done gpt2" $OUT/ladder-ab.txt | sed 's/ eta.*//'
cp /tmp/ladder-ab.db $OUT/
date -u
