#!/usr/bin/env bash
# Load benchmark: livehook load against a neutral receiver (nginx answering OK/0 on loopback),
# beside hey, vegeta and wrk in the same run, so that the ratios compare like with like on this machine.
# Prints the figures and the ratios the load issue sets as goals. Takes about five minutes.
#
#   bash bench/load.sh            # all of it
#   DURATION=5s bash bench/load.sh
#   ROUNDS=5 bash bench/load.sh   # five rounds of the throughput comparison (3 unless given)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONC=${CONC:-50}
ROUNDS=${ROUNDS:-3}
if ! [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]]; then
  echo "load.sh: ROUNDS wants a number of rounds, e.g. 3 (got '$ROUNDS')" >&2
  exit 2
fi
PORT=${PORT:-18980}
OUT=$(mktemp -d)
trap 'kill $(cat "$OUT/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$OUT"' EXIT

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hey || ! need nginx || ! need wrk || ! [ -x /usr/bin/time ]; then
  echo "== installing hey, wrk, nginx-light and time (Debian packages)"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hey wrk nginx-light time >/dev/null
fi
export GOBIN="$OUT/bin"
echo "== building livehook, and vegeta (a Go module) where the module proxy serves it"
have_vegeta=1
go install github.com/tsenart/vegeta/v12@v12.12.0 >/dev/null 2>&1 || have_vegeta=0
go build -o "$OUT/bin/livehook" .
PATH="$OUT/bin:$PATH"

# The neutral receiver: nginx answering every POST with the acknowledgement, keep-alive on.
cat > "$OUT/nginx.conf" <<CONF
worker_processes 1;
pid $OUT/nginx.pid;
error_log $OUT/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $OUT/body;
  server {
    listen 127.0.0.1:$PORT;
    location / {
      default_type application/json;
      return 200 '{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}';
    }
  }
}
CONF
nginx -c "$OUT/nginx.conf"
URL="http://127.0.0.1:$PORT/live/webhook"
for _ in $(seq 50); do curl -fs -o /dev/null -X POST "$URL" && break; sleep 0.1; done

BODY='{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"live_1","EventTime":1703589922780,"Operator_Account":"host_1","Admin_Account":["mod_1"],"opType":"add"}'
echo "$BODY" > "$OUT/body.json"
QS="?SdkAppid=1400000001&CallbackCommand=Live.CallbackAfterModifyAdmin&contenttype=json"

# Each tool runs once a round, in turn, ROUNDS times: a neighbour's burst on this shared machine
# then costs one tool one round, not the comparison, and each figure below is a tool's median.
if [ "$have_vegeta" = 0 ]; then
  echo "vegeta: not measured: the Go module proxy does not serve it to this machine"
fi
# wrk: the C ceiling of a load generator on this machine, one fixed body, two threads (the cores).
cat > "$OUT/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
LUA
DELIVERY=${DELIVERY:-duplicate=1%,reorder=1%,skew=30s}
rps_of() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(round(r['sent']/(r['duration_ns']/1e9),1))" "$1"; }
median() { tr ' ' '\n' | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
hey_all=() veg_all=() wrk_all=() lh_all=() cond_all=()
echo "== maximum throughput, $CONC connections, $DURATION each, $ROUNDS rounds (hey, vegeta and wrk send one fixed body; livehook every request a distinct, realistic webhook)"
for round in $(seq 1 "$ROUNDS"); do
  hey_rps=$(hey -z "$DURATION" -c "$CONC" -m POST -T application/json -D "$OUT/body.json" "$URL$QS" | awk '/Requests\/sec/ {print $2}')
  veg_rps=0
  if [ "$have_vegeta" = 1 ]; then
    veg_rps=$(echo "POST $URL$QS" | vegeta attack -rate=0 -max-workers="$CONC" -workers="$CONC" -duration="$DURATION" -body "$OUT/body.json" \
      -header "Content-Type: application/json" | vegeta report | awk -F'[ ,]+' '/^Requests/ {print $(NF)}')
  fi
  wrk_rps=$(wrk -t2 -c"$CONC" -d"$DURATION" -s "$OUT/post.lua" "$URL$QS" | awk '/Requests\/sec/ {print $2}')
  livehook load -q --target "$URL" --model closed --concurrency "$CONC" --duration "$DURATION" --json "$OUT/closed.json" > "$OUT/closed.txt"
  lh_rps=$(rps_of "$OUT/closed.json")
  livehook load -q --target "$URL" --model closed --concurrency "$CONC" --duration "$DURATION" --delivery "$DELIVERY" --json "$OUT/cond.json" > "$OUT/cond.txt"
  cond_rps=$(rps_of "$OUT/cond.json")
  python3 -c '
import sys
r, hey, veg, wrk, lh, cond = sys.argv[1], *map(float, sys.argv[2:7])
ratio = lambda a, b: f"{a / b:.2f}" if b else "-"
print(f"round {r}: hey {hey:.0f}, vegeta {veg:.0f}, wrk {wrk:.0f}, livehook {lh:.0f} ({cond:.0f} with --delivery {sys.argv[7]}) requests/s;"
      f" livehook / hey {ratio(lh, hey)}, / vegeta {ratio(lh, veg)}, / wrk {ratio(lh, wrk)}")' \
    "$round" "$hey_rps" "$veg_rps" "$wrk_rps" "$lh_rps" "$cond_rps" "$DELIVERY"
  hey_all+=("$hey_rps") veg_all+=("$veg_rps") wrk_all+=("$wrk_rps") lh_all+=("$lh_rps") cond_all+=("$cond_rps")
done
hey_rps=$(echo "${hey_all[*]}" | median) veg_rps=$(echo "${veg_all[*]}" | median) wrk_rps=$(echo "${wrk_all[*]}" | median)
lh_rps=$(echo "${lh_all[*]}" | median) cond_rps=$(echo "${cond_all[*]}" | median)
echo "medians: hey $hey_rps, vegeta $veg_rps, wrk $wrk_rps, livehook $lh_rps ($cond_rps with delivery conditions) requests/s; the ratios below are of these"

echo "== open model, 10000 requests/s for $DURATION"
livehook load -q --target "$URL" --rate 10000 --duration "$DURATION" --json "$OUT/open.json" > "$OUT/open.txt"
read -r achieved lag99 <<<"$(python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
print(round(r['sent']/(r['duration_ns']/1e9),1), round(r['lag']['p99_ns']/1e6,3))" "$OUT/open.json")"
echo "achieved $achieved requests/s, schedule lag p99 $lag99 ms"

echo "== one million requests: resident memory"
/usr/bin/time -v livehook load -q --target "$URL" --model closed --concurrency "$CONC" --count 1000000 --json "$OUT/million.json" > /dev/null 2> "$OUT/time.txt"
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time.txt")
sent=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['sent'])" "$OUT/million.json")
echo "sent $sent requests, maximum resident set $((rss_kb / 1024)) MB"

echo "== ratios and goals"
python3 - "$lh_rps" "$hey_rps" "$veg_rps" "$achieved" "$lag99" "$rss_kb" "$cond_rps" "$wrk_rps" <<'PY'
import sys
lh, hey, veg, achieved, lag99, rss, cond, wrk = map(float, sys.argv[1:])
rows = [
    ("livehook / hey throughput", lh / hey, ">= 1.50", lh / hey >= 1.5),
    ("livehook / wrk throughput", lh / wrk, ">= 0.70", lh / wrk >= 0.7),
    ("with delivery conditions / hey", cond / hey, "(reported)", True),
    ("livehook / vegeta throughput", lh / veg if veg else float("nan"), ">= 2.00", veg > 0 and lh / veg >= 2.0),
    ("open-model achieved / 10000", achieved / 10000, "within 1%", abs(achieved / 10000 - 1) <= 0.01),
    ("schedule lag p99 (ms)", lag99, "< 2", lag99 < 2),
    ("resident memory, 1M requests (MB)", rss / 1024, "< 64", rss / 1024 < 64),
]
for name, value, goal, ok in rows:
    print(f"{name:36s} {value:10.2f}   goal {goal:10s} {'met' if ok else 'NOT MET'}")
PY
