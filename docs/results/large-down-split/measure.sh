#!/usr/bin/env bash
# On the GPU machine: gpt2-large in bf16 (two weight buffers), the down-projection's copy split across the MLP barrier:
# half of the block's rows issued at the barrier's arrival and half past it (dph: down-half.patch), a quarter and three
# quarters (dpq: down-quarter.patch), against HEAD, which issues all of it past the barrier. The step check of all three
# at gpt2-large's bf16 shapes (against Gpt2.Decode in fp32, with the phase profile), two rounds, then decode at 32 in /
# 256 out (../large-down-past-barrier/decode.yaml), two rounds, for those that passed and beat HEAD's step.
# Here first: scripts/gpu-bundle; scripts/variant dph docs/results/large-down-split/down-half.patch;
# scripts/variant dpq docs/results/large-down-split/down-quarter.patch; carry .bundle and .variants.
# Call: scripts/gpu-scripts large-down-split/measure.sh:0 (~3 minutes).
set -uo pipefail
cd "$(dirname "$0")/../../.."
H=dph=.variants/dph/layers.cu Q=dpq=.variants/dpq/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 200 scripts/gpu-ab --rounds 2 base "$H" "$Q" -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "step rc=$?"; grep -E "^===|decode step.*positions|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
mapfile -t passed < <(scripts/step-gate $OUT/step-large.txt "$H" "$Q")
echo "passed and faster: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 150 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run docs/results/large-down-past-barrier/decode.yaml \
    --db /tmp/split.db --fresh --plain > $OUT/decode-ab.txt 2>&1
  echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
  cp /tmp/split.db $OUT/decode-ab.db 2>/dev/null
fi
date -u
