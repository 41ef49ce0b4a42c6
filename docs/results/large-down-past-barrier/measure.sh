#!/usr/bin/env bash
# On the GPU machine: gpt2-large in bf16 through the persistent layer kernel in two weight buffers, the
# down-projection's copy issued past the MLP barrier (dpb: down-past-barrier.patch) against HEAD, which issues it at
# the barrier's arrival. The step check of both at gpt2-large's bf16 shapes (against Gpt2.Decode in fp32, with the
# phase profile), then decode at 32 in / 256 out (decode.yaml), two rounds, if dpb passed.
# Here first: scripts/gpu-bundle; scripts/variant dpb docs/results/large-down-past-barrier/down-past-barrier.patch;
# carry .bundle and .variants. Call: scripts/gpu-scripts large-down-past-barrier/measure.sh:0 (~2 minutes).
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=dpb=.variants/dpb/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 base "$V" -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "step rc=$?"; grep -E "^===|decode step|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
if [ -n "$(scripts/check-gate $OUT/step-large.txt 'ok   decode step' "$V")" ]; then
  timeout 120 scripts/gpu-ab --rounds 2 base "$V" -- run docs/results/large-down-past-barrier/decode.yaml --db /tmp/dpb.db \
    --fresh --plain > $OUT/decode-ab.txt 2>&1
  echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
  cp /tmp/dpb.db $OUT/decode-ab.db 2>/dev/null
fi
date -u
