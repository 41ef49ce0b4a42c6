#!/usr/bin/env bash
# On the GPU machine: two changes to the lm_head's block keys and the one-block draw that takes the top k from them,
# each against HEAD: lmh64, the lm_head in blocks of 64 rows (16 warps of 4; 786 blocks, 2,358 keys to draw from instead
# of 1,571 and 4,713; ../lm-head-64-rows/), and draw1024, the sampler's blocks of 1,024 threads (2 pool rounds a warp for
# top-50 instead of 4, 5 keys a thread; ../draw-1024-threads/). Here first: scripts/gpu-bundle; scripts/variant lmh64
# docs/results/lm-head-64-rows/lm-head-64-rows.patch; scripts/variant draw1024
# docs/results/draw-1024-threads/draw-1024-threads.patch; carry .bundle and .variants.
# 1. the gemv check (base, lmh64: the lm_head's logits and block keys exact, and its time) and the sampling check (base,
#    lmh64, draw1024), one round;
# 2. the variants that passed every check: decode through the orchestrator against base, two rounds, alternated.
set -uo pipefail
cd "$(dirname "$0")/../../.."
L=lmh64=.variants/lmh64/gemv.cu,.variants/lmh64/sampling.cu,.variants/lmh64/GpuWorker.dll
D=draw1024=.variants/draw1024/sampling.cu,.variants/draw1024/GpuWorker.dll
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 80 scripts/gpu-ab --rounds 1 base $L -- check-kernels gpt2 gemv > $OUT/gemv-ab.txt 2>&1; echo "gemv rc=$?"
grep -E "^===|gemv_ln|FAIL|rror:" $OUT/gemv-ab.txt | cut -c1-200
timeout 100 scripts/gpu-ab --rounds 1 base $L $D -- check-kernels gpt2 sampling > $OUT/sampling-ab.txt 2>&1; echo "sampling rc=$?"
grep -E "^===|sampling |FAIL|rror:" $OUT/sampling-ab.txt | cut -c1-200
# Whether every check of variant $1 in the logs passed (an "ok" line under its headers, no failure).
passed() { awk -v n="$1" '$0 ~ "^=== "n" "{p=1; next} /^=== /{p=0} p&&/FAIL|Exception|rror:/{bad++} p&&/^ *ok/{ok++} END{exit !(ok>0 && bad==0)}' $OUT/gemv-ab.txt $OUT/sampling-ab.txt; }
go=()
passed lmh64 && go+=("$L")
passed draw1024 && go+=("$D")
echo "passed: ${go[*]:-none}"
if [ ${#go[@]} -gt 0 ]; then
  scripts/decode-ab fused-ab 2 170 "${go[@]}"
fi
date -u
