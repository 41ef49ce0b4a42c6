#!/usr/bin/env bash
# On the GPU machine: gpt2-large in bf16 (two weight buffers), the share of the down-projection's rows copied at the
# MLP barrier's arrival (the rest past it): five sixteenths (ds5: down-5-sixteenths.patch) and seven sixteenths (ds7:
# down-7-sixteenths.patch) against HEAD's three eighths. The step check of all three at gpt2-large's bf16 shapes (with the
# phase profile), two rounds, then decode at 32 in / 256 out (../large-down-past-barrier/decode.yaml), two rounds, for
# those that passed and beat HEAD's step.
# Here first: scripts/gpu-bundle; scripts/variant ds5 docs/results/large-down-sixteenths/down-5-sixteenths.patch;
# scripts/variant ds7 docs/results/large-down-sixteenths/down-7-sixteenths.patch; carry .bundle and .variants.
# Call: scripts/gpu-scripts large-down-sixteenths/measure.sh:0 (~3 minutes).
set -uo pipefail
cd "$(dirname "$0")/../../.."
A=ds5=.variants/ds5/layers.cu B=ds7=.variants/ds7/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 200 scripts/gpu-ab --rounds 2 base "$A" "$B" -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "step rc=$?"; grep -E "^===|decode step.*positions|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
mapfile -t passed < <(scripts/step-gate $OUT/step-large.txt "$A" "$B")
echo "passed and faster: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 150 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run docs/results/large-down-past-barrier/decode.yaml \
    --db /tmp/sixteenths.db --fresh --plain > $OUT/decode-ab.txt 2>&1
  echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
  cp /tmp/sixteenths.db $OUT/decode-ab.db 2>/dev/null
fi
date -u
