#!/usr/bin/env bash
# On the GPU machine: where the persistent decode layer kernel's warps stall now (a profile, no change): Nsight Compute on
# one launch of decode_layers_64 at position 128 (a 128-token prompt, then decode) in bf16 and int8, the samples summed
# by CUDA line (scripts/gpu-stalls), with the details page's occupancy and issue figures; the eighth session's profile
# (../layer-stalls/) is of a kernel since rewritten. Then the first-token check, whose host-side split of the time to
# first token the ladder's TTFT at 128 in depends on (`check-kernels gpt2 ttft`). Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
ncu="$(command -v ncu || ls /usr/local/cuda*/bin/ncu | head -1)"
prompt="$(python3 -c 'print(" a" * 128)')"
for dtype in bf16 int8; do
  echo "##### decode_layers_64 $dtype"
  timeout 150 scripts/gpu-stalls '^decode_layers_64$' "$OUT/$dtype" -- generate --model gpt2 --prompt "$prompt" --tokens 3 \
    --engine fused --dtype $dtype > $OUT/stalls-$dtype.txt 2>&1
  echo "stalls rc=$?"
  head -30 $OUT/$dtype/lines.txt 2>/dev/null | cut -c1-220
  "$ncu" --import $OUT/$dtype/stalls.ncu-rep --page details > $OUT/$dtype/details.txt 2>/dev/null
  grep -E "Duration|Achieved Occupancy|Registers Per|Warp Cycles Per Issued|Issued Warp|No Eligible" $OUT/$dtype/details.txt | head -12
done
timeout 90 scripts/gpu-run check-kernels gpt2 ttft > $OUT/ttft.txt 2>&1; echo "ttft rc=$?"
cut -c1-200 $OUT/ttft.txt | tail -25
date -u
