#!/usr/bin/env bash
# Here, before next-call.sh: the bundle of HEAD and the variants its scripts name (each from its patches, on HEAD).
set -euo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-bundle
scripts/variant keyscount docs/results/keys-counted/keys-counted.patch
scripts/variant lmh3 docs/results/lm-head-three-blocks/lm-head-three-blocks.patch
scripts/variant both docs/results/keys-counted/with-lm-head-three-blocks.patch
du -sh .bundle .variants
