#!/usr/bin/env bash
# On the GPU machine: the bundle's code checked and laddered. Written for the twenty-third session's code as it landed
# (the draw bounded by the blocks' best keys with redux.sync warp maxima, ../draw-block-bound/; the next layer's QKV copy
# past the MLP barrier in bf16, ../qkv-copy-after-pass/), measured there only one change at a time, and run on it in the
# twenty-fourth session's first call; ../twenty-fourth-session/next-call-3.sh runs it on that session's code. The gemv
# check (the lm_head's block keys exact), the sampling check (every draw against softmax(top-k / T)), the step check
# (logits against Gpt2.Decode in fp32, and its phase profile), then the engine ladder where the card is an H100
# (README's and BENCHMARKS.md's top table).
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
for check in gemv sampling "step --layers persistent"; do
  name=${check%% *}
  timeout 60 scripts/gpu-run check-kernels gpt2 $check > $OUT/$name.txt 2>&1; echo "$name rc=$?"
  grep -E "FAIL|rror:|gemv_ln_[0-9]|top-50 T=0.5, one block from the lm_head's block keys \(|positions 0..400|QKV  |attention\+proj|MLP  " $OUT/$name.txt |
    sed -E 's/ \(20000 draws.*\) error/ error/' | cut -c1-150
  grep -q -E "FAIL|rror:" $OUT/$name.txt && { echo "a check failed: no ladder"; exit 1; }
done
if grep -q H100 $OUT/gpu.txt; then
  timeout 150 scripts/gpu-run run experiments/engine-ladder.yaml --db /tmp/ladder.db --fresh --plain > $OUT/ladder.txt 2>&1; echo "ladder rc=$?"
  grep -E "done " $OUT/ladder.txt | sed 's/ eta.*//'
  cp /tmp/ladder.db $OUT/ladder.db 2>/dev/null
fi
date -u
