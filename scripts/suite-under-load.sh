#!/usr/bin/env bash
# Runs the whole suite N times in a row (default 3) next to a CPU hog busying one core, as a loaded CI machine would,
# and prints one line per run. Flaky tests are bugs: every run must pass. Usage: bash scripts/suite-under-load.sh [N]
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
logdir="$(mktemp -d)"

# One busy core for the whole session; it stops by itself after an hour in case this script is killed.
node -e 'const end = Date.now() + 3600e3; while (Date.now() < end) {}' &
hog=$!
trap 'kill "$hog" 2>/dev/null' EXIT

failed=0
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  if npx vitest run >"$logdir/run-$i.log" 2>&1; then result=passed; else result=FAILED; failed=$((failed + 1)); fi
  summary="$(sed -E 's/\x1b\[[0-9;]*m//g' "$logdir/run-$i.log" | grep -E '^ +Tests +' | tail -n 1 | sed -E 's/^ +//')"
  echo "run $i/$runs: $result in $(($(date +%s) - started)) s — ${summary:-no summary} (log: $logdir/run-$i.log)"
done
exit "$failed"
