#!/usr/bin/env bash
# On the GPU machine: bulk copies for the layer kernel's row fills only (bulk-rows.patch, against a259513's layers.cu:
# QKV, MLP up and the down-projection, one to three cp.async.bulk a fill, completing on the buffer's mbarrier; the
# projection piece by 16-byte cp.async as before), GPT-2 small against HEAD. Three weight buffers only (the patch
# refuses TWO_BUFFERS, so its gpt2-large bf16 build is expected to fail below).
# Here first: scripts/gpu-bundle; scripts/variant rows docs/results/bulk-copies/bulk-rows.patch; carry .bundle and
# .variants. Call: scripts/gpu-scripts bulk-copies/measure-rows.sh:0 (~3 minutes).
# 1. the variant compiled by the machine's nvcc for sm_90 (registers and spills; this repository's CUDA 11.8 lacks
#    cp.async.bulk), and issue-stall.cu's cycles: how long a bulk copy holds its issuing warp, by size;
# 2. the step check and timing, base against rows, two rounds, then decode for rows if it passed and beat base's step
#    (scripts/step-then-decode).
set -uo pipefail
cd "$(dirname "$0")/../../.."
R=.variants/rows/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
PATH=$PATH:/usr/local/cuda/bin timeout 60 scripts/kernels-compile $R > $OUT/compile.txt 2>&1; echo "compile rc=$?"; grep -v "^ *$" $OUT/compile.txt | head -20
PATH=$PATH:/usr/local/cuda/bin nvcc -arch=sm_90 -O2 -DWEIGHTS_BF16 -I src/GpuWorker/Kernels -o /tmp/issue-stall docs/results/bulk-copies/issue-stall.cu && timeout 30 /tmp/issue-stall | tee $OUT/issue-stall.txt
scripts/step-then-decode 2 200 150 rows=$R
date -u
