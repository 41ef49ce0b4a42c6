#!/usr/bin/env bash
# Written in the twenty-first session for a later call: the late copy kept (HEAD) against HEAD with the down-projection's
# copy back where every block issued it after its slice (early-copy.patch: the twentieth session's layers.cu), three
# rounds of decode, to settle the int8 loss measured in two (-0.75%) next to run-to-run swings of ~0.5%. Here first:
# scripts/gpu-bundle; scripts/variant earlycopy docs/results/slice-copy-late/early-copy.patch; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
E=.variants/earlycopy/layers.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu-again.txt; date -u | tee -a $OUT/gpu-again.txt
timeout 150 scripts/gpu-ab --rounds 3 base earlycopy=$E -- run experiments/fused.yaml --db /tmp/again.db --fresh --plain > $OUT/fused-again.txt 2>&1; echo "fused rc=$?"
grep -E "^===|done gpt2" $OUT/fused-again.txt | sed 's/ eta.*//'
cp /tmp/again.db $OUT/fused-again.db 2>/dev/null
date -u
