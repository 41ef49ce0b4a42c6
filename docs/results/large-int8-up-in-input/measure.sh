#!/usr/bin/env bash
# On the GPU machine: gpt2-large in int8, MLP up's copy issued in the QKV phase's input (as bf16 does; up-in-input.patch,
# i8in) instead of after the QKV products, against HEAD: int8's profile at gpt2-large puts 4.38 us a layer in the
# attention phase's input, with MLP up's ~50 KB a block in flight there. The step check of both at gpt2-large's int8
# shapes (with the phase profile), one round.
# Here first: scripts/gpu-bundle; scripts/variant i8in docs/results/large-int8-up-in-input/up-in-input.patch; carry
# .bundle and .variants. Call: scripts/gpu-scripts large-int8-up-in-input/measure.sh:0 (~1 minute).
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=i8in=.variants/i8in/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 100 scripts/gpu-ab --rounds 1 base "$V" -- check-kernels gpt2-large step --layers persistent --dtype int8 > $OUT/step-large-int8.txt 2>&1
echo "step rc=$?"; grep -E "^===|decode step.*positions|FAIL|rror|QKV |attention|MLP " $OUT/step-large-int8.txt | cut -c1-150
date -u
