#!/usr/bin/env bash
# Session 13, call 2: ln_matmul in 32-row tiles, two blocks an SM (prefill.cu + GpuWorker.dll from the working tree over
# bb61dce) against the bundle of bb61dce: the prefill check (correctness and launch-by-launch times at 16, 128, 1024
# positions), then TTFT and decode through the orchestrator.
set -uo pipefail
cd "$(dirname "$0")/../.."
V=.variants/s13
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu-call2.txt; date -u | tee -a $OUT/gpu-call2.txt
for d in bf16 int8; do
  timeout 170 scripts/gpu-ab --rounds 2 base ln32=$V/ln32/GpuWorker.dll,$V/ln32/prefill.cu -- check-kernels gpt2 prefill --dtype $d > $OUT/prefill-ab-$d.txt 2>&1; echo "prefill $d rc=$?"
  grep -E "^===|FAIL|positions \+ lm_head|LayerNorm|fits" $OUT/prefill-ab-$d.txt | sed 's/(63 launches.*error 0.0e+0 *//'
done
date -u
timeout 150 scripts/gpu-ab --rounds 2 base ln32=$V/ln32/GpuWorker.dll,$V/ln32/prefill.cu -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2|fits" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/ 2>/dev/null
date -u
