#!/usr/bin/env bash
# On the GPU machine: gpt2-large in bf16 (two weight buffers), MLP up's rows past QKV's footprint in buffer 0 copied
# with the next layer's QKV (after the previous layer's MLP up products) and only its first rows after the QKV products
# (upt: up-tail-early.patch), against HEAD. The step check at gpt2-large's bf16 shapes (with the phase profile), two
# rounds, then decode at 32 in / 256 out (../large-down-past-barrier/decode.yaml), two rounds, if it passed and beat
# HEAD's step.
# Here first: scripts/gpu-bundle; scripts/variant upt docs/results/large-up-tail-early/up-tail-early.patch; carry
# .bundle and .variants. Call: scripts/gpu-scripts large-up-tail-early/measure.sh:0 (~2..3 minutes).
set -uo pipefail
cd "$(dirname "$0")/../../.."
U=upt=.variants/upt/layers.cu
nvidia-smi --query-gpu=name,uuid,clocks.max.sm --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-ab --rounds 2 base "$U" -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "step rc=$?"; grep -E "^===|decode step.*positions|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
mapfile -t passed < <(scripts/step-gate $OUT/step-large.txt "$U")
echo "passed and faster: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 120 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run docs/results/large-down-past-barrier/decode.yaml \
    --db /tmp/up-tail.db --fresh --plain > $OUT/decode-ab.txt 2>&1
  echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
  cp /tmp/up-tail.db $OUT/decode-ab.db 2>/dev/null
fi
date -u
