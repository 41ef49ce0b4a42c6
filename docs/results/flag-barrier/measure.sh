#!/usr/bin/env bash
# On the GPU machine: the layer kernel's grid barriers as a last-arriver flag (flag-barrier.patch) against HEAD's counter
# copies, GPT-2 small: the step check and timing, two rounds, then decode if it passed and beat base's step
# (scripts/step-then-decode). Worth its ~3 minutes where ../barrier-floor/ shows the flag design faster than the layer
# kernel's on the same card.
# Here first: scripts/gpu-bundle; scripts/variant flag docs/results/flag-barrier/flag-barrier.patch; carry .bundle and
# .variants. Call: scripts/gpu-scripts flag-barrier/measure.sh:0
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/step-then-decode 2 200 150 flag=.variants/flag/layers.cu
date -u
