#!/usr/bin/env bash
# On the GPU machine: where the int8 lm_head's warps stall (a probe). Nsight Compute on its first launch (`gemv_ln_2`,
# the int8 entry point at GPT-2 small's width) with source counters and warp states, the samples summed by CUDA line
# (scripts/gpu-stalls); then the bf16 one (`gemv_ln_4`) the same way, the comparison: bf16 reads its 77 MB near the copy
# limit, int8 its 38.6 MB at 61% of it. Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
for w in int8:gemv_ln_2 bf16:gemv_ln_4; do
  dtype=${w%%:*} kernel=${w#*:}
  echo "##### $dtype $kernel"
  timeout 150 scripts/gpu-stalls "^${kernel}\$" "$OUT/$dtype" -- generate --model gpt2 --prompt hello --tokens 4 --engine fused --dtype $dtype > $OUT/$dtype.txt 2>&1; echo "stalls rc=$?"
  head -25 $OUT/$dtype/lines.txt 2>/dev/null | cut -c1-200
  "$(command -v ncu || ls /usr/local/cuda*/bin/ncu | head -1)" --import $OUT/$dtype/stalls.ncu-rep --page details 2>/dev/null > $OUT/$dtype/details.txt
  grep -E "Duration|Achieved Occupancy|Theoretical Occupancy|Registers Per|Block Limit|Memory Throughput|DRAM Throughput|Warp Cycles Per Issued|Issued Warp" $OUT/$dtype/details.txt | head -20
done
date -u
