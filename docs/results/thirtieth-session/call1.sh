#!/usr/bin/env bash
# Call 1: probes.sh (~8 minutes: three variants against HEAD, the lm_head's prologue and int8's piece scales).
# Here first: the commands in probes.sh's header; carry .bundle and .variants.
set -uo pipefail
cd "$(dirname "$0")/../../.."
scripts/gpu-scripts "$@" thirtieth-session/probes.sh:0
