#!/usr/bin/env bash
# Here, before next-call.sh: the bundle of HEAD and the variants its scripts name (each from its patches, on HEAD).
# Then: the device tool's run with `bash docs/results/twenty-third-session/next-call.sh`, carrying .bundle and .variants.
set -euo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-bundle
scripts/variant lmh3 docs/results/lm-head-three-blocks/lm-head-three-blocks.patch
scripts/variant earlycopy docs/results/slice-copy-late/early-copy.patch
du -sh .bundle .variants
