#!/usr/bin/env bash
# call1.sh cut to its first two measurements, for a call with little device time left: slice-copy-late/measure.sh and
# block-top-keys/measure.sh (the same commands to run here first as call1.sh's header lists for them).
set -uo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$OUT
for m in slice-copy-late/measure.sh block-top-keys/measure.sh; do
  mkdir -p "$ROOT/${m%%/*}"
  echo "##### $m"
  OUT="$ROOT/${m%%/*}" bash "docs/results/$m"
done
