#!/usr/bin/env bash
# On the GPU machine: the layer kernel's residual stream in 2 or 3 copies (REPLICAS) against HEAD's 4, which the
# thirteenth session chose over 6 and 8 on that session's kernel (2 was last measured on the fourth's). The QKV phase's
# input (4 copies summed) takes ~0.5 us longer than the MLP phase's (1 copy): fewer copies, fewer loads there, more
# atomics queued on each address. Kernel-only variants (the host allocates room for 4). Here first: scripts/gpu-bundle;
# mkdir -p .variants/rep2 .variants/rep3; sed 's/^#define REPLICAS 4$/#define REPLICAS 2/' src/GpuWorker/Kernels/layers.cu
# > .variants/rep2/layers.cu (and 3 into rep3); carry .bundle and .variants.
# 1. the step check and timing, base against rep2 and rep3, one round;
# 2. those that passed their check and beat base's bf16 or int8 step: decode through the orchestrator, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
A=.variants/rep2/layers.cu B=.variants/rep3/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 1 120 130 rep2=$A rep3=$B
date -u
