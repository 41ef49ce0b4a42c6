#!/usr/bin/env bash
# On the GPU machine: the code as it landed against HF transformers' GPT-2 (the check that last ran on the fused engine
# in the sixth session; the step and prefill checks since compare with our own fp32 model): the golden files for GPT-2
# small's shapes with varied and with GPT-2-initialised random weights (scripts/golden/make_golden.py), then
# `check-golden` of every engine in bf16, of the fused engine in int8, and of GPT-2's initialisation in bf16: of the
# bundle as built, or with the files of GOLDEN_VARIANT (scripts/gpu-ab's NAME=FILE[,FILE...]) for a change kept from a
# same-call A/B before a bundle of it is built.
# Here first: scripts/gpu-bundle; carry .bundle.
set -uo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,uuid --format=csv,noheader | tee $OUT/gpu.txt; date -u | tee -a $OUT/gpu.txt
for golden in gpt2 gpt2-init; do
  PYTHONUNBUFFERED=1 timeout 150 python3 scripts/golden/make_golden.py --out /tmp/golden --only $golden > $OUT/make-golden-$golden.txt 2>&1
  echo "make_golden $golden rc=$?"; tail -2 $OUT/make-golden-$golden.txt
done
for case in gpt2:bf16 gpt2:int8 gpt2-init:bf16; do
  set -- ${case/:/ }
  timeout 150 scripts/gpu-ab --rounds 1 "${GOLDEN_VARIANT:-base}" -- check-golden /tmp/golden/$1 --device cuda --dtype $2 \
    > $OUT/check-golden-$1-$2.txt 2>&1
  echo "check-golden $1 $2 rc=$?"; grep -E "fused|FAIL|checks pass|rror" $OUT/check-golden-$1-$2.txt | cut -c1-200
done
date -u
