#!/usr/bin/env bash
# Runs `go test -race ./...` N times in a row (20 unless given) on a fresh clone of this
# repository's HEAD, so that nothing in the working tree (build artefacts, stray files, a warm
# test cache) helps, and reports which runs failed and which tests failed in them.
#
#   bash bench/race20.sh          # 20 runs: about an hour on a 2-core machine
#   bash bench/race20.sh 2        # 2 runs, to try it
#   RUNS_DIR=/tmp/r bash bench/race20.sh   # every run's output goes there
#
# The outputs are kept when a run fails (the script says where), and removed when all pass unless
# RUNS_DIR is given. Commit first: the clone has HEAD, not the working tree's changes.
#
# Exit code: 0 when every run passed, 1 when one failed, 2 for usage errors.
set -euo pipefail
n=${1:-20}
if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
  echo "race20.sh: want a number of runs, e.g. 20 (got '$n')" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=${RUNS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/race20-runs.XXXXXX")}
mkdir -p "$out"
git clone -q "$src" "$work/clone"
cd "$work/clone"
echo "== $n runs of 'go test -race -count=1 ./...' on a fresh clone of $(git rev-parse --short HEAD)"
failed=0
for i in $(seq 1 "$n"); do
  start=$(date +%s)
  if go test -race -count=1 ./... >"$out/run$i.txt" 2>&1; then
    echo "run $i/$n: ok ($(( $(date +%s) - start ))s)"
  else
    failed=$((failed + 1))
    echo "run $i/$n: FAIL ($(( $(date +%s) - start ))s), output in $out/run$i.txt:"
    grep -E '^(--- FAIL|FAIL|panic:|    --- FAIL)|\[FAIL\]|DATA RACE' "$out/run$i.txt" | sort | uniq -c | sed 's/^/    /' || true
  fi
done
echo "== $failed of $n runs failed"
if [ "$failed" -gt 0 ]; then
  echo "outputs in $out"
  exit 1
fi
[ -n "${RUNS_DIR:-}" ] || rm -rf "$out"
