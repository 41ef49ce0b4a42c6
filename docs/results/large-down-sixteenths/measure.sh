#!/usr/bin/env bash
# On the GPU machine: gpt2-large in bf16 (two weight buffers), the share of the down-projection's rows copied at the
# MLP barrier's arrival (the rest past it): five sixteenths (ds5: down-5-sixteenths.patch) and seven sixteenths (ds7:
# down-7-sixteenths.patch) against HEAD's three eighths. The step check of all three at gpt2-large's bf16 shapes (with
# the phase profile), two rounds, then decode at 32 in / 256 out (../large-down-past-barrier/decode.yaml), two rounds,
# for those that passed and beat HEAD's step (scripts/step-then-decode).
# Here first: scripts/gpu-bundle; scripts/variant ds5 docs/results/large-down-sixteenths/down-5-sixteenths.patch;
# scripts/variant ds7 docs/results/large-down-sixteenths/down-7-sixteenths.patch; carry .bundle and .variants.
# Call: scripts/gpu-scripts large-down-sixteenths/measure.sh:0 (~3 minutes).
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode --model gpt2-large --dtype bf16 --experiment docs/results/large-down-past-barrier/decode.yaml \
  2 200 150 ds5=.variants/ds5/layers.cu ds7=.variants/ds7/layers.cu
date -u
