#!/usr/bin/env bash
# Eighteenth session, call 4, on the GPU machine: the bundle of HEAD with tiered compilation off in GpuWorker.csproj
# (here: scripts/gpu-bundle; scripts/variant probe docs/results/host-path/launch-probe.patch), carrying .bundle and .variants.
# 1. the orchestrator's TTFT and decode: tiered compilation off (base) against on (tc1), and off with the prefill's
#    K in 4 parts (parts4; 2 by default), three rounds alternated;
# 2. the ladder;
# 3. the first-token check repeated (its first-token equality once failed in call 1's probe variant, int8 32 tokens:
#    is the engine's first token deterministic?): base 4 rounds, the probe with tiered compilation on 2 rounds.
set -uo pipefail
cd "$(dirname "$0")/../../../.."
P=.variants/probe/gate.cu,.variants/probe/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 200 scripts/gpu-ab --rounds 3 base tc1=DOTNET_TieredCompilation=1 parts4=GPTBENCH_PREFILL_K_PARTS=4 -- run experiments/fused.yaml --db /tmp/tc-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/tc-ab.db $OUT/
timeout 120 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep "done" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/
timeout 120 scripts/gpu-ab --rounds 4 base -- check-kernels gpt2 ttft > $OUT/ttft-repeat.txt 2>&1; echo "ttft rc=$?"
grep -E "^===|first token" $OUT/ttft-repeat.txt | cut -c1-200
timeout 60 scripts/gpu-ab --rounds 2 probetc1=$P,DOTNET_TieredCompilation=1 -- check-kernels gpt2 ttft > $OUT/probe-repeat.txt 2>&1; echo "probe rc=$?"
grep -E "^===|first token" $OUT/probe-repeat.txt | cut -c1-200
date -u
