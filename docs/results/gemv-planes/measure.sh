#!/usr/bin/env bash
# On the GPU machine: the gemv (the lm_head, and every product of the five-launches-a-layer path) with its input in
# planes as the layer kernel has had since the eighth session (gemv-planes.patch: common.cuh's plane_position and
# load_planes, shared with layers.cu, whose PTX is unchanged). Nsight Compute found 57% of the int8 lm_head's
# shared-memory wavefronts excessive (a lane's four 16-byte activation loads 64 bytes from its neighbour's) and 31% of
# bf16's (../lm-head-int8-stalls/). Here first: scripts/gpu-bundle; scripts/variant planes
# docs/results/gemv-planes/gemv-planes.patch; carry .bundle and .variants.
# 1. the gemv check (logits and block keys exact, each product's time), base against planes, one round;
# 2. the step check, one round; 3. if both passed: decode through the orchestrator, two rounds alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
P=planes=.variants/planes/gemv.cu,.variants/planes/common.cuh,.variants/planes/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
failed=0
for check in gemv "step --layers persistent"; do
  name=${check%% *}
  timeout 110 scripts/gpu-ab --rounds 1 base $P -- check-kernels gpt2 $check > $OUT/$name-ab.txt 2>&1; echo "$name rc=$?"
  grep -E "^===|gemv_|FAIL|rror:|positions 0..400|its share" $OUT/$name-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-170
  grep -q -E "FAIL|rror:|Exception" $OUT/$name-ab.txt && failed=1
  grep -q "^=== planes" $OUT/$name-ab.txt || failed=1
done
if [ $failed = 0 ]; then scripts/decode-ab fused-ab 2 150 $P; else echo "planes failed a check: no decode"; fi
date -u
