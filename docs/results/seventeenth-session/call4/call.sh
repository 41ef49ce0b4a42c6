set -uo pipefail
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-ab --rounds 1 probe=.variants/probe/gate.cu,.variants/probe/GpuWorker.dll -- check-kernels gpt2 ttft > $OUT/probe.txt 2>&1; echo "probe rc=$?"
grep -E "^===|first token|probe" $OUT/probe.txt | cut -c1-420
timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/
date -u
