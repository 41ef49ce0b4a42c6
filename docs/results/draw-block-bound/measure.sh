#!/usr/bin/env bash
# On the GPU machine: the one-block draw bounding its top k from the lm_head blocks' best keys alone (1,571 of them, 4 a
# thread) instead of all 4,713 block keys (10 a thread) (blockbound: draw-block-bound.patch), and that with the warp's
# largest key by two redux.sync instead of five rounds of shuffles (bbredux: + warp-max-redux.patch, common.cuh: the
# draw's pool rounds and race maximum, and the lm_head's block keys), against HEAD. Here first: scripts/gpu-bundle;
# scripts/variant blockbound docs/results/draw-block-bound/draw-block-bound.patch; scripts/variant bbredux
# docs/results/draw-block-bound/draw-block-bound.patch docs/results/draw-block-bound/warp-max-redux.patch; carry .bundle
# and .variants.
# 1. the gemv check of bbredux (the lm_head's block keys exact), one round; the sampling check (every draw against
#    softmax(top-k / T), the clustered case's gathering path too), base against both, one round;
# 2. the variants that passed every check: decode through the orchestrator against base, two rounds, alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
B=blockbound=.variants/blockbound/sampling.cu
R=bbredux=.variants/bbredux/common.cuh,.variants/bbredux/sampling.cu
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 50 scripts/gpu-ab --rounds 1 $R -- check-kernels gpt2 gemv > $OUT/gemv.txt 2>&1; echo "gemv rc=$?"
grep -E "gemv_ln_|FAIL|rror:" $OUT/gemv.txt | cut -c1-170
timeout 90 scripts/gpu-ab --rounds 1 base $B $R -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|one block|FAIL|rror:" $OUT/sampling-ab.txt | sed 's/ (20000 draws.*noise [0-9.]*)//' | cut -c1-170
# Whether every check of variant $1 in the logs passed (an "ok" line under its headers, no failure).
passed() { awk -v n="$1" '$0 ~ "^=== "n" "{p=1; next} /^=== /{p=0} p&&/FAIL|Exception|rror:/{bad++} p&&/^ *ok/{ok++} END{exit !(ok>0 && bad==0)}' "${@:2}"; }
go=()
passed blockbound $OUT/sampling-ab.txt && go+=("$B")
passed bbredux $OUT/sampling-ab.txt $OUT/gemv.txt && go+=("$R")
echo "passed: ${go[*]:-none}"
[ ${#go[@]} -gt 0 ] && scripts/decode-ab fused-ab 2 120 "${go[@]}"
date -u
