#!/usr/bin/env bash
# Session 15, call 1: the two MLP-barrier variants (measure.sh), the ladder with the new prefill, and where the
# prefill's kernels spend their time at 128 positions (ncu: speed of light, launch, occupancy, warp states; then
# ln_matmul's stalls by source line).
set -uo pipefail
cd "$(dirname "$0")/../.."
bash docs/results/mlp-barrier-skew/measure.sh
if nvidia-smi --query-gpu=name --format=csv,noheader | grep -q H100; then
timeout 120 scripts/gpu-ab --rounds 1 base -- run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
grep -E "done gpt2" $OUT/ladder.txt | sed 's/ eta.*//'
cp /tmp/ladder.db $OUT/ 2>/dev/null
fi
P="$(python3 -c 'print(" a"*128)')"
ncu=$(command -v ncu || ls /usr/local/cuda*/bin/ncu | head -1)
timeout 120 $ncu --graph-profiling node -k "regex:ln_matmul|matmul_residual|prefill_attention|prefill_layernorm|prefill_embed|prefill_last" --launch-count 9 \
  --section SpeedOfLight --section LaunchStats --section Occupancy --section WarpStateStats --section MemoryWorkloadAnalysis \
  -f -o $OUT/prefill scripts/gpu-run generate --model gpt2 --prompt "$P" --tokens 1 --engine fused > $OUT/prefill-ncu.log 2>&1; echo "ncu rc=$?"
$ncu --import $OUT/prefill.ncu-rep --page details > $OUT/prefill-details.txt 2>&1
grep -E "^  [a-z_0-9]+\(|Duration|DRAM Throughput|Memory Throughput|Compute \(SM\)|Registers Per|Achieved Occupancy|Grid Size|Block Size|Dynamic Shared" $OUT/prefill-details.txt | head -120
timeout 120 scripts/gpu-stalls ln_matmul $OUT/stalls-ln_matmul -- generate --model gpt2 --prompt "$P" --tokens 1 --engine fused > $OUT/stalls.txt 2>&1; echo "stalls rc=$?"
head -40 $OUT/stalls.txt
date -u
