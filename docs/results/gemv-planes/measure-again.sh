#!/usr/bin/env bash
# On the GPU machine, after measure.sh found the planes slower for the int8 lm_head (19.81 -> 21.52 us) though faster for
# every per-layer product but the square projection: planes2 (gemv-planes-staged.patch) stages x, gain and shift quad
# by quad of the planes (each thread writing its own, adjacent to its neighbours', reading x's quads strided) instead of
# scattering x's quads into them (2- or 4-way write conflicts in every block's prologue); planes3
# (gemv-planes-by-plane.patch) also multiplies a plane at a time (common.cuh's dot_quad), 4 registers of activations
# live instead of 16. Here first: scripts/gpu-bundle; scripts/variant planes2 ...-staged.patch; scripts/variant planes3
# ...-by-plane.patch; carry .bundle and .variants.
# 1. the gemv check, base / planes2 / planes3, one round; 2. decode for those that passed, two rounds alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
P2=planes2=.variants/planes2/gemv.cu,.variants/planes2/common.cuh,.variants/planes2/layers.cu
P3=planes3=.variants/planes3/gemv.cu,.variants/planes3/common.cuh,.variants/planes3/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu-again.txt; date -u | tee -a $OUT/gpu-again.txt
timeout 130 scripts/gpu-ab --rounds 1 base $P2 $P3 -- check-kernels gpt2 gemv > $OUT/gemv-again.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_|FAIL|rror:" $OUT/gemv-again.txt | cut -c1-150
passed=()
for v in "$P2" "$P3"; do
  n=${v%%=*}
  awk -v n="$n" '$0 ~ "^=== "n" "{p=1; next} /^=== /{p=0} p&&/FAIL|Exception|rror:/{bad++} p&&/^ *ok/{ok++} END{exit !(ok>0 && bad==0)}' $OUT/gemv-again.txt && passed+=("$v")
done
echo "passed: ${passed[*]%%=*}"
[ ${#passed[@]} -eq 0 ] || scripts/decode-ab fused-again 2 150 "${passed[@]}"
date -u
