#!/usr/bin/env bash
# On the GPU machine: the L2 set aside for the lm_head's weights (GPTBENCH_LM_HEAD_L2_BYTES; default a third of L2,
# 16.7 MB on the H100) at 12, 20 and 24 MiB against the default: decode through the orchestrator, two rounds.
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/decode-ab fused-ab 2 150 l2-12=GPTBENCH_LM_HEAD_L2_BYTES=12582912 l2-20=GPTBENCH_LM_HEAD_L2_BYTES=20971520 \
  l2-24=GPTBENCH_LM_HEAD_L2_BYTES=25165824
date -u
