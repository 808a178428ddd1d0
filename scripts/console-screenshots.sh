#!/usr/bin/env bash
# Screenshots of the live consoles from a real run: starts `livehook receive` on loopback, sends
# it the built-in contract with `livehook run` (a few refusals among the acknowledgements), and
# screenshots the page at 1280 and 390 px wide with a refused delivery open; then starts
# `livehook serve --activity` firing at that receiver, creates rooms through its REST API with a
# UserSig, and screenshots its console with the most viewed room open and a call made from the
# form. Into docs/. Installs Debian's chromium, and fonts-noto-cjk so that Chinese room names
# render, when they are missing.
#
#   bash scripts/console-screenshots.sh   # docs/console-{1280,390}.png, docs/console-serve-{1280,390}.png
#   OUT=/tmp/shots bash scripts/console-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-docs}
ADDR=${ADDR:-127.0.0.1:18931}
SERVE_ADDR=${SERVE_ADDR:-127.0.0.1:18932}
command -v chromium >/dev/null || apt-get install -y chromium >/dev/null
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || apt-get install -y fonts-noto-cjk >/dev/null || echo "no fonts-noto-cjk: Chinese names will show as boxes" >&2
work=$(mktemp -d)
receiver=""
mock=""
cleanup() {
  if [ -n "$mock" ]; then kill "$mock" 2>/dev/null || true; wait "$mock" 2>/dev/null || true; fi
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

# The serve console: the mock fires at the receiver above, with simulated activity.
"$work/livehook" serve --addr "$SERVE_ADDR" --callback "http://$ADDR/live/webhook" --activity 4 --retries 1 --print-usersig -q >"$work/serve.out" 2>&1 &
mock=$!
for _ in $(seq 50); do grep -q "Console: open" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
grep "Console: open" "$work/serve.out"
sig=$(awk '/A UserSig for/ {getline; print $1; exit}' "$work/serve.out")
rest() { curl -sS -d "$2" "http://$SERVE_ADDR/v4/live_engine_http_srv/$1?sdkappid=1400000001&identifier=administrator&usersig=$sig&random=$RANDOM&contenttype=json" | grep -q '"ActionStatus":"OK"' || { echo "$1 $2 failed" >&2; exit 1; }; }
rest create_room '{"RoomInfo":{"RoomId":"live_concert","RoomType":"Live","RoomName":"晚间音乐会 evening concert","Owner_Account":"host_li","MaxMemberCount":300,"Category":[1]}}'
rest create_room '{"RoomInfo":{"RoomId":"live_talk","RoomType":"Live","RoomName":"Tech talk: webhooks","Owner_Account":"host_ana"}}'
rest create_room '{"RoomInfo":{"RoomId":"live_game","RoomType":"Live","RoomName":"游戏之夜","Owner_Account":"host_wang"}}'
rest create_room '{"RoomInfo":{"RoomId":"live_backstage","RoomType":"Live","RoomName":"backstage","IsPublicVisible":false}}'
rest set_room_metadata '{"RoomId":"live_concert","Metadata":[{"Key":"topic","Value":"classical"},{"Key":"pinned","Value":"welcome! 欢迎"}]}'
rest modify_admin '{"RoomId":"live_talk","OpType":"add","Admin_Account":["mod_sam"]}'
rest update_room_info '{"RoomInfo":{"RoomId":"live_game","RoomName":"游戏之夜 game night"}}'
sleep 3 # the activity gives the rooms viewers, and so an order
go run ./scripts/consoleshots -serve -url "http://$SERVE_ADDR/" -out "$OUT"
