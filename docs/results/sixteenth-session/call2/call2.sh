#!/usr/bin/env bash
# Call 2 (after call 1, docs/results/prefill-ttft/measure.sh): the K split in 4 parts, int8's prefill check
# and the orchestrator against the base; the sampler without its system fence; the ladder with 4 parts.
set -uo pipefail
cd "$(dirname "$0")/../../../.."
K4=.variants/kparts/prefill.cu,.variants/kparts/GpuWorker.dll,GPTBENCH_PREFILL_K_PARTS=4
nvidia-smi --query-gpu=name,uuid --format=csv | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 60 scripts/gpu-ab --rounds 1 kparts4=$K4 -- check-kernels gpt2 prefill --dtype int8 > $OUT/prefill-int8.txt 2>&1; echo "prefill rc=$?"
grep -E "FAIL|positions \+ lm_head" $OUT/prefill-int8.txt | cut -c1-200
timeout 80 scripts/gpu-ab --rounds 2 base kparts4=$K4 -- run experiments/fused.yaml --db /tmp/fused-ab.db --fresh --plain > $OUT/fused-ab.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-ab.txt | sed 's/ eta.*//'
cp /tmp/fused-ab.db $OUT/
mkdir -p $OUT/fence; OUT=$OUT/fence timeout 200 bash docs/results/sampler-fence/measure.sh
timeout 120 scripts/gpu-ab --rounds 1 kparts4=$K4 -- run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
tail -12 $OUT/ladder.txt; cp /tmp/ladder.db $OUT/
date -u
