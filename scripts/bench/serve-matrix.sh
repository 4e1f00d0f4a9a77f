#!/usr/bin/env bash
# Latency-bounded throughput of both scheduling policies for RMC1-3 at DeepRecSys' low, medium
# and high p95 targets (issue 5's table): one `recmesh bench serve --policy both` per cell, each
# writing its JSON and latency-throughput plot to docs/bench/. Not part of CI (~40 minutes).
#   scripts/bench/serve-matrix.sh [seconds-per-policy]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-40}"
for model in rmc1 rmc2 rmc3; do
  for level in low medium high; do
    echo "== $model $level" >&2
    node packages/cli/bin/recmesh.js bench serve --model "$model" --level "$level" --policy both \
      --seconds "$seconds" --out docs/bench --json | tail -n 1
  done
done
