#!/usr/bin/env bash
# On the GPU machine: the one-block draw waiting for the lm_head's count of its blocks done (each block adds one past its
# keys with a release after writing them; keys-counted.patch) instead of for the lm_head grid's end through
# griddepcontrol.wait, which also waits for its blocks to exit and its writes to be flushed. Against HEAD, and with the
# bf16 lm_head's three blocks an SM (../lm-head-three-blocks/, +0.2% alone) on top (with-lm-head-three-blocks.patch).
# Here first: scripts/gpu-bundle; scripts/variant keyscount docs/results/keys-counted/keys-counted.patch; scripts/variant
# both docs/results/keys-counted/with-lm-head-three-blocks.patch; scripts/variant lmh3
# docs/results/lm-head-three-blocks/lm-head-three-blocks.patch; carry .bundle and .variants.
# 1. the gemv check (the lm_head's block keys exact beside the count) and the step check (logits; the step's time with
#    greedy and top-50 draws), base against keyscount, one round;
# 2. the draws themselves: `generate` of 600 tokens, top-50 at T 0.5 with a seed, and greedy, bf16 and int8: the text
#    must be the same as base's (a draw started before its keys landed would differ);
# 3. if all of that passed: decode through the orchestrator, base / keyscount / lmh3 / both, two rounds alternated.
# (As run on 2026-12-07 the texts kept generate's summary line, which holds the timings, so they always differed; that
# line is filtered out now. Comparing the texts by word: README.md.)
set -uo pipefail
cd "$(dirname "$0")/../../.."
K=keyscount=.variants/keyscount/gemv.cu,.variants/keyscount/sampling.cu,.variants/keyscount/GpuWorker.dll
L=lmh3=.variants/lmh3/gemv.cu,.variants/lmh3/GpuWorker.dll
B=both=.variants/both/gemv.cu,.variants/both/sampling.cu,.variants/both/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
failed=0
for check in gemv "step --layers persistent"; do
  name=${check%% *}
  timeout 100 scripts/gpu-ab --rounds 1 base $K -- check-kernels gpt2 $check > $OUT/$name-ab.txt 2>&1; echo "$name rc=$?"
  grep -E "^===|gemv_ln_[24] |FAIL|rror:|positions 0..400|its share" $OUT/$name-ab.txt | sed 's/ layers positions 0..400//' | cut -c1-200
  grep -q -E "FAIL|rror:|Exception" $OUT/$name-ab.txt && failed=1
  grep -q "^=== keyscount" $OUT/$name-ab.txt || failed=1
done
for dtype in bf16 int8; do
  for how in "--top-k 50 --temperature 0.5 --seed 11" "--greedy"; do
    tag=$dtype-${how:2:4}
    for v in base "$K"; do
      timeout 40 scripts/gpu-ab --rounds 1 $v -- generate --model gpt2 --prompt "The draw" --tokens 600 --engine fused --dtype $dtype $how \
        2> $OUT/generate-$tag-${v%%=*}.log | grep -v -e '^===' -e 'tokens/s after the first' > $OUT/generate-$tag-${v%%=*}.txt
    done
    if [ -s $OUT/generate-$tag-base.txt ] && cmp -s $OUT/generate-$tag-base.txt $OUT/generate-$tag-keyscount.txt; then
      echo "generate $tag: the same text ($(wc -c < $OUT/generate-$tag-base.txt) bytes)"
    else
      echo "generate $tag: DIFFERENT or empty"; failed=1; tail -3 $OUT/generate-$tag-keyscount.log
    fi
  done
done
if [ $failed = 0 ]; then scripts/decode-ab fused-ab 2 150 $K $L $B; else echo "keyscount failed a check: no decode"; fi
date -u
