#!/usr/bin/env bash
# On the GPU machine: the persistent layer kernel with two weight buffers (two-buffers.patch: layers.cu's TWO_BUFFERS,
# which LayerKernel.PlanFor picks where three do not fit, i.e. gpt2-large in bf16), against HEAD, where gpt2-large in
# bf16 runs five launches a layer.
# Here first: scripts/gpu-bundle; scripts/variant tb docs/results/large-bf16-two-buffers/two-buffers.patch; carry
# .bundle and .variants.
# 1. The step check of tb at gpt2-large's shapes in bf16 (against Gpt2.Decode in fp32; HEAD has no persistent plan
#    there), and gpt2's in both weight types for base and tb (three buffers: the same PTX, a check that nothing moved);
# 2. if tb's gpt2-large check passed: decode at 32 in / 256 out (decode.yaml), base against tb, two rounds alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=tb=.variants/tb/layers.cu,.variants/tb/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 90 scripts/gpu-ab --rounds 1 $V -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "gpt2-large step rc=$?"; grep -E "decode step|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
timeout 120 scripts/gpu-ab --rounds 1 base $V -- check-kernels gpt2 step --layers persistent > $OUT/step-gpt2.txt 2>&1
echo "gpt2 step rc=$?"; grep -E "^===|positions 0..400|FAIL|rror" $OUT/step-gpt2.txt | cut -c1-170
if [ -n "$(scripts/check-gate $OUT/step-large.txt 'ok   decode step' $V)" ]; then
  timeout 200 scripts/gpu-ab --rounds 2 base $V -- run docs/results/large-bf16-two-buffers/decode.yaml --db /tmp/large-bf16.db --fresh --plain \
    > $OUT/decode-ab.txt 2>&1
  echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
  cp /tmp/large-bf16.db $OUT/decode-ab.db 2>/dev/null
else
  echo "tb failed gpt2-large's step check: no decode"
fi
date -u
