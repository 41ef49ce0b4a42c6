#!/usr/bin/env bash
# Eighteenth session, call 5, on the GPU machine: the bundle of HEAD (tiered compilation off, the prefill's K in 4
# parts by default; here: scripts/gpu-bundle; scripts/variant probe docs/results/host-path/launch-probe.patch),
# carrying .bundle and .variants.
# 1. the prefill check (4 parts now the default), bf16 and int8;
# 2. the ladder;
# 3. the first-token check with the probe and tiered compilation on, two rounds: which phase draws the other token;
# 4. the orchestrator's TTFT: base (4 parts) against 2 and 3 parts, two rounds alternated (last: the device time left
#    may cut it).
set -uo pipefail
cd "$(dirname "$0")/../../../.."
P=.variants/probe/gate.cu,.variants/probe/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-run check-kernels gpt2 prefill > $OUT/prefill.txt 2>&1; echo "prefill rc=$?"
grep -E "FAIL|ok   prefill .* (16|100|1024) tokens|positions \+ lm_head" $OUT/prefill.txt | cut -c1-200
timeout 120 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep "done" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/
timeout 60 scripts/gpu-ab --rounds 2 probetc1=$P,DOTNET_TieredCompilation=1 -- check-kernels gpt2 ttft > $OUT/probe-repeat.txt 2>&1; echo "probe rc=$?"
grep -E "^===|first token|probe" $OUT/probe-repeat.txt | cut -c1-200
grep -E "differ" $OUT/probe-repeat.txt | sed 's/.*first tokens differ/differ/'
timeout 130 scripts/gpu-ab --rounds 2 base parts2=GPTBENCH_PREFILL_K_PARTS=2 parts3=GPTBENCH_PREFILL_K_PARTS=3 -- run experiments/fused.yaml --db /tmp/parts-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/parts-ab.db $OUT/
date -u
