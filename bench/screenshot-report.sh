#!/usr/bin/env bash
# Makes an HTML load report from a short run against the reference receiver on loopback, and
# screenshots it in headless Chromium at a desktop width (1280 px) and a phone's (390 px), to look
# at what a reader sees. Installs Debian's chromium when it is missing. Takes about half a minute.
#
#   bash bench/screenshot-report.sh              # PNGs and the report in bench/results/screenshots
#   OUT=/tmp/shots DURATION=20s bash bench/screenshot-report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-bench/results/screenshots}
DURATION=${DURATION:-12s}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d)
receiver=""
cleanup() {
  if [ -n "$receiver" ]; then kill "$receiver" 2>/dev/null || true; wait "$receiver" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing chromium (Debian package)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

echo "== building livehook"
go build -o "$work/livehook" .

echo "== the reference receiver on loopback"
"$work/livehook" receive --addr 127.0.0.1:0 --token shot-token -q >"$work/receive.out" 2>"$work/receive.err" &
receiver=$!
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/receive.out" | head -1 || true)
  [ -n "$url" ] && break
  kill -0 "$receiver" 2>/dev/null || { cat "$work/receive.err"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the receiver did not say where it listens"; cat "$work/receive.err"; exit 1; }

echo "== livehook load for $DURATION against $url/live/webhook, a ramp from 200 to 1500 requests/s"
"$work/livehook" load --target "$url/live/webhook" --token shot-token --rate 200 --ramp-to 1500 \
  --duration "$DURATION" --seed 42 --threshold 'p99<50ms' --threshold 'errors<0.1%' \
  --html "$OUT/report.html" --json "$OUT/report.json" -q || true
[ -s "$OUT/report.html" ] || { echo "no report was written"; exit 1; }

echo "== screenshots"
sandbox=""; [ "$(id -u)" -ne 0 ] || sandbox=--no-sandbox
for size in 1280,2600 390,4400; do
  width=${size%,*}
  chromium --headless $sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$size" --screenshot="$OUT/report-$width.png" "file://$OUT/report.html" 2>"$work/chromium.err" \
    || { cat "$work/chromium.err"; exit 1; }
  echo "$OUT/report-$width.png"
done
