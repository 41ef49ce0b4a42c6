#!/usr/bin/env bash
# Here, before next-call.sh: the bundle of HEAD and the variants its scripts name (each from its patches, on HEAD).
# Then: the device tool's run with `bash docs/results/twenty-second-session/next-call.sh`, carrying .bundle and .variants.
set -euo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-bundle
r=docs/results
scripts/variant blockbound $r/draw-block-bound/draw-block-bound.patch
scripts/variant bbredux $r/draw-block-bound/draw-block-bound.patch $r/draw-block-bound/warp-max-redux.patch
scripts/variant paired $r/paired-rows/paired-rows.patch
scripts/variant qkvlate $r/qkv-copy-after-pass/qkv-copy-after-pass.patch
scripts/variant blocks $r/layer-blocks/layer-blocks.patch
scripts/variant lmh3 $r/lm-head-three-blocks/lm-head-three-blocks.patch
scripts/variant earlycopy $r/slice-copy-late/early-copy.patch
du -sh .bundle .variants
