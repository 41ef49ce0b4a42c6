#!/usr/bin/env bash
# On the GPU machine: the larger-models sweep (experiments/larger-models.yaml) with gpt2-large in bf16 through the
# persistent layer kernel in two weight buffers (variant tb: ../large-bf16-two-buffers/two-buffers.patch), without
# ../thirtieth-session/larger.sh's step checks (tb's PTX for the three-buffer plans is HEAD's; its gpt2-large bf16 step
# check ran in the call before). Here first: scripts/gpu-bundle; scripts/variant tb ...two-buffers.patch; carry .bundle
# and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
scripts/gpu-state $OUT/larger-gpu.csv -- timeout 300 scripts/gpu-ab --rounds 1 tb=.variants/tb/layers.cu,.variants/tb/GpuWorker.dll -- \
  run experiments/larger-models.yaml --db /tmp/larger.db --fresh --plain > $OUT/larger.txt 2>&1
echo "larger-models (tb) rc=$?"
grep -E "done " $OUT/larger.txt | sed 's/ eta.*//'
cp /tmp/larger.db $OUT/larger.db 2>/dev/null
date -u
