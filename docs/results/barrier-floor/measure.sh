#!/usr/bin/env bash
# On the GPU machine: barrier-floor.cu built by the machine's nvcc and run (~10 seconds): the one-way latency between two
# SMs through L2, and back-to-back grid barriers of one 512-thread block an SM in five designs, each checked.
# Nothing to prepare here. Call: scripts/gpu-scripts barrier-floor/measure.sh:0
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.sm,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
PATH=$PATH:/usr/local/cuda/bin nvcc -arch=sm_90 -O2 -std=c++17 -DWEIGHTS_BF16 -I src/GpuWorker/Kernels -o /tmp/barrier-floor docs/results/barrier-floor/barrier-floor.cu 2>&1 | tee $OUT/compile.txt
timeout 60 /tmp/barrier-floor | tee $OUT/barrier-floor.txt
