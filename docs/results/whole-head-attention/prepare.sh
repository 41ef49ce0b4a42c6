#!/usr/bin/env bash
# Here, before measure.sh's call: the bundle of HEAD and the four variants it names, each from its patches on HEAD.
set -euo pipefail
cd "$(dirname "$0")/../../.."
d=docs/results/whole-head-attention
scripts/gpu-bundle
rm -rf .variants
scripts/variant whole1 $d/whole-head.patch
scripts/variant whole2 $d/whole-head.patch $d/passes-2.patch
scripts/variant whole2p $d/whole-head.patch $d/passes-2.patch $d/prefetch-passes.patch
scripts/variant whole3p $d/whole-head.patch $d/passes-3.patch $d/prefetch-passes.patch
du -sh .bundle .variants
