#!/usr/bin/env bash
# On the GPU machine, after here: scripts/gpu-bundle, then
#   scripts/variant loops docs/results/host-path/loops.patch
#   scripts/variant probe docs/results/host-path/launch-probe.patch
# and a call carrying .bundle and .variants that runs this script (~5 minutes with the machine's start):
# 1. the orchestrator's TTFT and decode: HEAD (span copies, 55f484f) against the loops before it, and HEAD with tiered
#    compilation off (every method optimised at its first call), three rounds alternated;
# 2. the first-token check with the probe (the enqueue in pieces; the prefill behind a gate), tiered compilation on, off.
set -uo pipefail
cd "$(dirname "$0")/../../.."
L=.variants/loops/GpuWorker.dll P=.variants/probe/gate.cu,.variants/probe/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 200 scripts/gpu-ab --rounds 3 base loops=$L tc0=DOTNET_TieredCompilation=0 -- run experiments/fused.yaml --db /tmp/host-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/host-ab.db $OUT/
timeout 100 scripts/gpu-ab --rounds 1 probe=$P probetc0=$P,DOTNET_TieredCompilation=0 -- check-kernels gpt2 ttft > $OUT/probe.txt 2>&1; echo "probe rc=$?"
grep -E "^===|first token|probe" $OUT/probe.txt | cut -c1-420
date -u
