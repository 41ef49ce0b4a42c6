#!/usr/bin/env bash
# Here, before next-call-3.sh: the bundle of HEAD and the variants its scripts name (each from its patch, on HEAD).
set -euo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-bundle
scripts/variant warpnorm docs/results/gemv-warp-norm/warp-norm.patch
scripts/variant fold docs/results/folded-layernorm-again/folded-layernorm.patch
du -sh .bundle .variants
