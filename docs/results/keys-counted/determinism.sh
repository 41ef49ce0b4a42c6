#!/usr/bin/env bash
# On the GPU machine: whether HEAD's own draws repeat from one process to the next, which measure.sh's comparison
# assumed: `generate` of 600 tokens, top-50 at T 0.5 with a seed, twice each in bf16 and int8 (measure.sh found
# keyscount's int8 text differing from base's at the 62nd token, bf16's and the greedy ones the same). The layer
# kernel sums with float atomics in no fixed order, so a near tie between two race scores may fall either way.
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
for dtype in bf16 int8; do
  for run in 1 2; do
    timeout 40 scripts/gpu-run generate --model gpt2 --prompt "The draw" --tokens 600 --engine fused --dtype $dtype \
      --top-k 50 --temperature 0.5 --seed 11 2> $OUT/again-$dtype-$run.log | grep -v "tokens/s after the first" > $OUT/again-$dtype-$run.txt
  done
  if [ -s $OUT/again-$dtype-1.txt ] && cmp -s $OUT/again-$dtype-1.txt $OUT/again-$dtype-2.txt; then echo "$dtype: the same text twice"
  else echo "$dtype: the two runs differ at word $(cmp <(tr ' ' '\n' < $OUT/again-$dtype-1.txt) <(tr ' ' '\n' < $OUT/again-$dtype-2.txt) | sed -n 's/.*line \([0-9]*\).*/\1/p')"; fi
done
