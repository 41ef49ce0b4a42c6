#!/usr/bin/env bash
# Here, before next-call.sh: the bundle of HEAD and the variants its scripts name (each from its patches, on HEAD).
# Then: the device tool's run with `bash docs/results/twenty-sixth-session/next-call.sh`, carrying .bundle and .variants.
set -euo pipefail
cd "$(dirname "$0")/../../.."
slot=docs/results/block-keys-by-slot word=docs/results/draw-word-pool
scripts/gpu-bundle
rm -rf .variants
scripts/variant slot $slot/by-slot.patch
scripts/variant slotstamps $slot/by-slot-stamps.patch
scripts/variant heldstamps $slot/held-stamps.patch
scripts/variant lean $slot/by-slot.patch $word/word-pool.patch
scripts/variant leanstamps $slot/by-slot.patch $word/word-pool-stamps.patch
du -sh .bundle .variants
