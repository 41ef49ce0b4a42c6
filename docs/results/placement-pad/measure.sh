#!/usr/bin/env bash
# On the GPU machine: does where the engine's buffers land in the card's memory move decode by the few tenths of a
# percent that ../ladder-gap/ saw between sweeps of the same code? experiments/fused.yaml, three rounds alternated
# (scripts/decode-ab), base against pad.patch's GpuWorker.dll with GPTBENCH_PAD_MB unset (pad0: the build alone) and
# set to 2, 38 and 1024 (device memory taken before the model's, so that every later buffer lands elsewhere).
# Here first: scripts/gpu-bundle; scripts/variant pad docs/results/placement-pad/pad.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
dll=.variants/pad/GpuWorker.dll
scripts/decode-ab fused-ab 3 400 pad0=$dll pad2=$dll,GPTBENCH_PAD_MB=2 pad38=$dll,GPTBENCH_PAD_MB=38 \
  pad1024=$dll,GPTBENCH_PAD_MB=1024
date -u
