#!/usr/bin/env bash
# Session 15, call 4: the kept changes (bias prefetch in the prefill, the int8 projection split) through every step,
# prefill and first-token check, then the engine ladder on this H100.
set -uo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 200 scripts/gpu-run check-kernels gpt2 step prefill ttft --layers persistent > $OUT/checks.txt 2>&1; echo "checks rc=$?"
grep -E "FAIL|positions 0..400|positions \+ lm_head|first token|all kernel|checks FAIL" $OUT/checks.txt | cut -c1-220
timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done gpt2" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/ 2>/dev/null
date -u
