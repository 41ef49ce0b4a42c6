#!/usr/bin/env bash
# On the GPU machine: the persistent layer kernel with two weight buffers (layers.cu's TWO_BUFFERS, which
# LayerKernel.PlanFor picks where three do not fit, i.e. gpt2-large in bf16), two variants against HEAD, where
# gpt2-large in bf16 runs five launches a layer:
#   tb   two-buffers.patch: the down-projection's whole copy after the MLP barrier's arrival
#   tbs  the same and two-buffers-split.patch: only its rows that overlap the projection piece's bytes then, the rest
#        right after the QKV products
# Here first: scripts/gpu-bundle; scripts/variant tb docs/results/large-bf16-two-buffers/two-buffers.patch; scripts/variant
# tbs docs/results/large-bf16-two-buffers/two-buffers.patch docs/results/large-bf16-two-buffers/two-buffers-split.patch;
# scripts/variant tbs8 (both patches and ../down-eight-outputs/eight-outputs-on-two-buffers.patch); carry .bundle and
# .variants.
# 1. The step check of each variant at gpt2-large's shapes in bf16 (against Gpt2.Decode in fp32, and its timing; HEAD
#    has no persistent plan there); gpt2's is not run: with three buffers both variants compile to HEAD's PTX (checked
#    with scripts/kernels-compile's nvcc, bf16 and int8, before the call);
# 2. decode at 32 in / 256 out (decode.yaml) for the variants whose gpt2-large check passed, against base, two rounds.
# 3. the step check of tbs8 (tbs with the down-projection in eight outputs a thread) at the same shapes, once: whether
#    the combined form is right, ready for whichever of the two probes lands second.
set -uo pipefail
cd "$(dirname "$0")/../../.."
V=(tb=.variants/tb/layers.cu,.variants/tb/GpuWorker.dll tbs=.variants/tbs/layers.cu,.variants/tbs/GpuWorker.dll)
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
timeout 150 scripts/gpu-ab --rounds 1 "${V[@]}" -- check-kernels gpt2-large step --layers persistent --dtype bf16 > $OUT/step-large.txt 2>&1
echo "gpt2-large step rc=$?"; grep -E "^===|decode step|FAIL|rror|QKV |attention|MLP " $OUT/step-large.txt | cut -c1-170
mapfile -t passed < <(scripts/check-gate $OUT/step-large.txt 'ok   decode step' "${V[@]}")
echo "gpt2-large check passed: ${passed[*]:-none}"
if [ ${#passed[@]} -gt 0 ]; then
  timeout 240 scripts/gpu-ab --rounds 2 base "${passed[@]}" -- run docs/results/large-bf16-two-buffers/decode.yaml --db /tmp/large-bf16.db \
    --fresh --plain > $OUT/decode-ab.txt 2>&1
  echo "decode rc=$?"; grep -E "^===|done gpt2" $OUT/decode-ab.txt | sed 's/ eta.*//'
  cp /tmp/large-bf16.db $OUT/decode-ab.db 2>/dev/null
fi
timeout 60 scripts/gpu-ab --rounds 1 tbs8=.variants/tbs8/layers.cu,.variants/tbs8/GpuWorker.dll -- check-kernels gpt2-large step \
  --layers persistent --dtype bf16 > $OUT/step-large-tbs8.txt 2>&1
echo "tbs8 step rc=$?"; grep -E "^===|decode step|FAIL|rror" $OUT/step-large-tbs8.txt | cut -c1-170
date -u
