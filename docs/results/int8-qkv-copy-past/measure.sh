#!/usr/bin/env bash
# On the GPU machine: int8 with the next layer's QKV copy past the MLP barrier as bf16 has it (int8-qkv-copy-past.patch),
# now that int8 issues the slice blocks' down-projection copy after the slice again (fc7310b): the -2.2% of the
# twenty-third session was measured with that copy late, in the queue at the arrival too. bf16 is the same code in both
# (a control). The step check and timing, two rounds, then decode where int8's step is faster (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant int8past docs/results/int8-qkv-copy-past/int8-qkv-copy-past.patch;
# carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 150 80 int8past=.variants/int8past/layers.cu
date -u
