#!/usr/bin/env bash
# On the GPU machine, where the card is an H100: the engine ladder of the code as it landed (README's and BENCHMARKS.md's
# top table). Its checks run before it in the same call (../keys-counted/measure.sh's base: the gemv and step checks of
# HEAD; the sampler is unchanged since the twenty-third session's checks). Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
grep -q H100 $OUT/gpu.txt || { echo "not an H100: no ladder"; exit 0; }
timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done " $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/ladder.db 2>/dev/null
date -u
