#!/usr/bin/env bash
# On the GPU machine: two changes to the decode layer kernel, each against HEAD: paired, a warp's two rows of the QKV and
# MLP-up products over all 32 lanes, each lane's activations loaded once for both (../paired-rows/); qkvlate, the next
# layer's QKV weight copy issued past the MLP barrier, once the MLP's input loads are issued, instead of between the
# barrier's arrival and its wait (../qkv-copy-after-pass/). Here first: prepare.sh; carry .bundle and .variants.
# 1. the step check and timing, base against both, two rounds (the phase profile's QKV and MLP work and the MLP
#    barrier's release are the figures);
# 2. those that passed their check and beat base's bf16 or int8 step: decode through the orchestrator, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
P=paired=.variants/paired/layers.cu Q=qkvlate=.variants/qkvlate/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 150 110 $P $Q
date -u
