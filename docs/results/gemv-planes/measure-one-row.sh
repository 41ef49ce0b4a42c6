#!/usr/bin/env bash
# On the GPU machine: the planes for the one-row-a-warp products only (gemv-planes-one-row.patch: measure.sh's planes,
# x scattered into them and read by load_planes, where ROWS is 1; the lm_head's PTX is base's up to register names and
# one address computation). They are the five-launches-a-layer path's products (GPTBENCH_FUSED_LAYERS=per-kernel).
# Here first: scripts/gpu-bundle; scripts/variant planar docs/results/gemv-planes/gemv-planes-one-row.patch; carry
# .bundle and .variants. 1. the gemv check, base against planar, one round; 2. the step check of that path, two rounds.
set -uo pipefail
cd "$(dirname "$0")/../../.."
P=planar=.variants/planar/gemv.cu,.variants/planar/common.cuh,.variants/planar/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu-one-row.txt; date -u | tee -a $OUT/gpu-one-row.txt
timeout 80 scripts/gpu-ab --rounds 1 base $P -- check-kernels gpt2 gemv > $OUT/gemv-one-row.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_|FAIL|rror:" $OUT/gemv-one-row.txt | cut -c1-150
timeout 200 scripts/gpu-ab --rounds 2 base $P -- check-kernels gpt2 step --layers per-kernel > $OUT/step-one-row.txt 2>&1; echo "step rc=$?"
grep -E "^===|FAIL|rror:|positions 0..400|its share" $OUT/step-one-row.txt | cut -c1-170
date -u
