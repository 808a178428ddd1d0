#!/usr/bin/env bash
# Exploration at the issue's budget: livehook explore --budget 5000 against the reference
# receiver (livehook receive, signed), which it must not fail, then the explore package's tests
# with every budget at 5000: each broken receiver found with a reproducer of at most 6 steps
# that fails it and passes the reference receiver, and no unusual but correct one failed.
# Prints the figures. Takes a few minutes.
#
#   bash bench/explore.sh
#   BUDGET=1000 bash bench/explore.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${BUDGET:-5000}
PORT=${PORT:-18990}
OUT=$(mktemp -d)
trap 'kill "$(cat "$OUT/receive.pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$OUT"' EXIT

go build -o "$OUT/livehook" .
"$OUT/livehook" receive --addr "127.0.0.1:$PORT" --token bench-token >/dev/null 2>&1 &
echo $! > "$OUT/receive.pid"
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/deliveries" && break
  sleep 0.1
done

echo "== livehook explore --budget $BUDGET against livehook receive (signed)"
start=$(date +%s)
set +e
"$OUT/livehook" explore --target "http://127.0.0.1:$PORT/webhook" --token bench-token --budget "$BUDGET" --seed 1 | tail -3
code=${PIPESTATUS[0]}
set -e
echo "exit $code (0: nothing found) in $(( $(date +%s) - start ))s"
[ "$code" -eq 0 ]

echo "== the explore package's tests with every budget at $BUDGET"
LIVEHOOK_EXPLORE_BUDGET=$BUDGET go test ./explore -run 'TestExploreFindsBrokenReceivers|TestExploreNeverFailsCorrectReceivers' -count=1 -v 2>&1 |
  grep -E '^(    )?--- |^(ok|FAIL)|cases, .* requests exploring'
