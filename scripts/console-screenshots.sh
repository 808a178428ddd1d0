#!/usr/bin/env bash
# Screenshots of the live console from a real run: starts `livehook receive` on loopback, sends
# it the built-in contract with `livehook run` (a few refusals among the acknowledgements), and
# screenshots the page at 1280 and 390 px wide with a refused delivery open, into docs/.
# Installs Debian's chromium when it is missing.
#
#   bash scripts/console-screenshots.sh            # docs/console-1280.png, docs/console-390.png
#   OUT=/tmp/shots bash scripts/console-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-docs}
ADDR=${ADDR:-127.0.0.1:18931}
command -v chromium >/dev/null || apt-get install -y chromium >/dev/null
work=$(mktemp -d)
receiver=""
cleanup() {
  if [ -n "$receiver" ]; then kill "$receiver" 2>/dev/null || true; wait "$receiver" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/livehook" .
"$work/livehook" receive --addr "$ADDR" -q >"$work/receive.out" 2>&1 &
receiver=$!
for _ in $(seq 50); do grep -q "Console: open" "$work/receive.out" 2>/dev/null && break; sleep 0.1; done
grep "Console: open" "$work/receive.out"
"$work/livehook" run --target "http://$ADDR/live/webhook" --tags '!delivery' >"$work/run.out" || true
tail -2 "$work/run.out"
mkdir -p "$OUT"
go run ./scripts/consoleshots -url "http://$ADDR/" -out "$OUT"
