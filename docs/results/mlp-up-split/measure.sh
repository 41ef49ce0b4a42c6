#!/usr/bin/env bash
# On the GPU machine: GPT-2 small in bf16, MLP up's copy split across the QKV products: six eighths of the block's rows
# issued in the QKV phase's input as now and a quarter after the products (us6: up-quarter-late.patch), or half and
# half (us4: up-half-late.patch), against HEAD (all of it in the input). The step check of all three in bf16 (against
# Gpt2.Decode in fp32, with the phase profile), two rounds, then decode at 32 in / 256 out (decode.yaml), two rounds,
# for those that passed and beat HEAD's step.
# Here first: scripts/gpu-bundle; scripts/variant us6 docs/results/mlp-up-split/up-quarter-late.patch;
# scripts/variant us4 docs/results/mlp-up-split/up-half-late.patch; carry .bundle and .variants.
# Call: scripts/gpu-scripts mlp-up-split/measure.sh:0 (~3 minutes).
set -uo pipefail
cd "$(dirname "$0")/../../.."
A=us6=.variants/us6/layers.cu B=us4=.variants/us4/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-ab --rounds 2 base "$A" "$B" -- check-kernels gpt2 step --layers persistent --dtype bf16 > $OUT/step-ab.txt 2>&1
echo "step rc=$?"; grep -E "^===|decode step.*positions|FAIL|rror|QKV |attention|MLP " $OUT/step-ab.txt | cut -c1-150
mapfile -t passed < <(scripts/step-gate $OUT/step-ab.txt "$A" "$B")
echo "passed and faster: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 150 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run docs/results/mlp-up-split/decode.yaml \
    --db /tmp/up-split.db --fresh --plain > $OUT/decode-ab.txt 2>&1
  echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
  cp /tmp/up-split.db $OUT/decode-ab.db 2>/dev/null
fi
date -u
