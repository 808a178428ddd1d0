#!/usr/bin/env bash
# The console under 100,000 deliveries: starts `livehook receive` on loopback, sends it N
# deliveries with `livehook load`, prints the receiver's memory (resident now and at its peak),
# then loads the console once in headless Chromium and prints what the page shows and how long
# loading, a text filter and opening a delivery took.
#
#   bash bench/console-100k.sh          # N=100000
#   N=20000 bash bench/console-100k.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}
ADDR=${ADDR:-127.0.0.1:18933}
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
mem() { awk '/VmRSS|VmHWM/ {printf "%s %d MiB  ", $1, $2/1024} END {print ""}' "/proc/$receiver/status"; }
echo "receiver before: $(mem)"
"$work/livehook" load --target "http://$ADDR/live/webhook" --concurrency 10 --count "$N" >"$work/load.out" || true
grep -E "requests|acknowledged" "$work/load.out" | head -3
echo "receiver after $N deliveries: $(mem)"
go run ./scripts/consoleshots -check -url "http://$ADDR/"
echo "receiver after the page: $(mem)"
