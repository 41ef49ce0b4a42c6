#!/usr/bin/env bash
# On the GPU machine: HEAD (copy_rows' first warp issues no copies) against w0dup (first-warp-copies.patch: HEAD before
# the fix, where from a later first row, gpt2-large bf16's split down-projection copy, the first warp also copied the
# pieces before it again). The step check at gpt2-large's bf16 shapes, two rounds, then decode of gpt2-large bf16 at 32
# in / 256 out (../large-down-past-barrier/decode.yaml), two rounds. The three-buffer builds (GPT-2 small, gpt2-medium,
# int8) compile to the same PTX either way (scripts/kernels-compile --same-ptx).
# Here first: scripts/gpu-bundle; scripts/variant w0dup docs/results/large-first-warp-copies/first-warp-copies.patch;
# carry .bundle and .variants. Call: scripts/gpu-scripts large-first-warp-copies/measure.sh:0 (~3 minutes).
set -uo pipefail
cd "$(dirname "$0")/../../.."
W=w0dup=.variants/w0dup/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-ab --rounds 2 base "$W" -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "step large rc=$?"; grep -E "^===|decode step.*positions|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
timeout 150 scripts/gpu-ab --rounds 2 base "$W" -- run docs/results/large-down-past-barrier/decode.yaml \
  --db /tmp/first-warp.db --fresh --plain > $OUT/decode-ab.txt 2>&1
echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
cp /tmp/first-warp.db $OUT/decode-ab.db 2>/dev/null
date -u
