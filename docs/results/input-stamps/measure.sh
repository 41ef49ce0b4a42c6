#!/usr/bin/env bash
# On the GPU machine: where the QKV and MLP phases' "input" goes (a profile, no change to keep). input-stamps.patch moves
# each phase's INPUT stamp from after its LayerNorm to the moment thread 0's four elements of the phase's input vector
# have arrived (the stamp takes them as an input operand): the profile's Input then reads barrier -> vector loaded, and
# its Work everything after (the weight copies' issue, the LayerNorm's reduction, the wait for the phase's weights, the
# products). The step check's profile of HEAD and of the stamps, one round each.
# Here first: scripts/gpu-bundle; scripts/variant inputstamps docs/results/input-stamps/input-stamps.patch; carry
# .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 base inputstamps=.variants/inputstamps/layers.cu -- check-kernels gpt2 step \
  --layers persistent > $OUT/step-ab.txt 2>&1
echo "step rc=$?"
grep -E "^===|FAIL|rror:|QKV |attention|MLP |positions 0..400" $OUT/step-ab.txt | cut -c1-160
date -u
