#!/usr/bin/env bash
# console-e2e.sh: build the vendor's admin console (TUILiveKit_Manager) from a checkout of its
# public source, run its Node server against `livehook serve`, and drive its pages in headless
# Chromium: the room list, the monitor wall, a room's page (details, statistics, seats, and the
# moderation lists, lifting a ban through the page), the gift list and the gift categories. Each
# page must show what the script put into the mock; it fails when a page does not, and when any
# call the console made was answered with an error, 60009 ("unknown API") above all.
#
#   bash scripts/console-e2e.sh PATH/TO/TUILiveKit_Manager    # KEEP=1 keeps the work folder
#
# Not part of .ci/run: it needs the npm registry (pnpm, the console's packages, playwright-core),
# Debian's chromium (apt-get install -y chromium, or CHROMIUM=path), Node 20.19 or later (the
# console's vite 7), and port 443 on 127.0.0.1, since the console's server calls
# https://console.tim.qq.com/v4/... with no port. That server is pointed at the mock by a preload
# that resolves *.tim.qq.com to 127.0.0.1 (its SSRF guard refuses 127.* as a DOMAIN) and trusts the
# mock's self-signed certificate through NODE_EXTRA_CA_CERTS. Out of scope, as in docs/protocol.md
# §6: live video, chat and the audience list (the vendor's IM WebSocket and media services), and
# the cloud content moderation (Tencent Cloud API 3.0, im.tencentcloudapi.com, not the REST API).
set -euo pipefail
set -m # each background job its own process group, so that cleanup ends all its children

src=${1:?usage: scripts/console-e2e.sh PATH/TO/TUILiveKit_Manager (a checkout of github.com/Tencent-RTC/TUILiveKit_Manager)}
[ -d "$src/packages/server/src" ] && [ -d "$src/packages/vue3/src" ] && [ -d "$src/packages/vue-sdk/dist" ] ||
	{ echo "console-e2e: $src has no packages/server, packages/vue3 and packages/vue-sdk/dist: give a checkout of TUILiveKit_Manager" >&2; exit 2; }
src=$(cd "$src" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "console-e2e: no Chromium at $chromium: apt-get install -y chromium, or set CHROMIUM" >&2; exit 2; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||a===22&&b>=12||a===20&&b>=19||a===21?0:1)' ||
	{ echo "console-e2e: the console's vite 7 needs Node 20.19 or later; this is $(node --version)" >&2; exit 2; }
if (exec 3<>/dev/tcp/127.0.0.1/443) 2>/dev/null; then
	echo "console-e2e: something already listens on 127.0.0.1:443; the mock must have it" >&2
	exit 2
fi

appid=1400000001
key=console-e2e-secret
began=$(date +%s)
work=$(mktemp -d)
pids=()
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 -- "-$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$p" 2>/dev/null || true
	done
	if [ "$rc" != 0 ]; then
		for f in serve.log server.log; do
			[ -s "$work/$f" ] && { echo "--- the last lines of $f:" >&2; tail -15 "$work/$f" >&2; }
		done
	fi
	if [ -n "${KEEP:-}" ]; then echo "console-e2e: the work folder is kept: $work" >&2; else rm -rf "$work"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bounded SECONDS CMD...: runs CMD in a process group of its own (killed by cleanup if the script
# stops), for at most SECONDS.
bounded() {
	local secs=$1
	shift
	timeout --kill-after=10 "$secs" "$@" &
	local p=$!
	pids+=("$p")
	wait "$p"
}
# started CMD...: starts CMD in the background, in a process group of its own, ended by cleanup.
started() {
	"$@" &
	pids+=($!)
	disown # cleanup ends it; no job notice
}
# wait_for WHAT CMD...: until CMD succeeds, at most 60 s.
wait_for() {
	local what=$1
	shift
	for _ in $(seq 1 240); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.25
	done
	echo "console-e2e: $what never happened" >&2
	return 1
}

echo "== building livehook"
bounded 600 env -C "$repo" go build -o "$work/livehook" .

echo "== starting the mock at https://console.tim.qq.com (127.0.0.1:443)"
started "$work/livehook" serve --addr 127.0.0.1:443 --sdkappid "$appid" --secret-key "$key" \
	--tls-self-signed console.tim.qq.com,127.0.0.1 --tls-cert-out "$work/cert.pem" --print-usersig \
	>"$work/serve.out" 2>"$work/serve.log"
wait_for "the mock's start" grep -q '^Deliveries:' "$work/serve.out"
sig=$(sed -n '/^A UserSig for identifier/{n;s/^ *//p}' "$work/serve.out")
[ -n "$sig" ] || { echo "console-e2e: serve printed no UserSig" >&2; cat "$work/serve.out" >&2; exit 1; }
q="sdkappid=$appid&identifier=administrator&usersig=$sig&random=1&contenttype=json"
call() { curl -sS --max-time 10 --cacert "$work/cert.pem" --resolve console.tim.qq.com:443:127.0.0.1 -d "$2" "https://console.tim.qq.com/v4/$1?$q"; }
rest() {
	local out
	out=$(call "$@")
	case $out in *'"ErrorCode":0,'*) ;; *) echo "console-e2e: $1 $2 answered $out" >&2; return 1 ;; esac
}

echo "== the console's data, through the mock's REST API"
rest live_engine_http_srv/create_room '{"RoomInfo":{"RoomId":"e2e_room","RoomType":"Live","SeatTemplate":"VideoDynamicGrid9Seats","Owner_Account":"host_1","RoomName":"console e2e"}}'
rest live_engine_http_srv/add_robot '{"RoomId":"e2e_room","RobotList_Account":["bot_1","bot_2"]}'
rest room_engine_http_mic/pick_user_on_seat '{"RoomId":"e2e_room","Member_Account":"bot_1","Index":1}'
rest live_engine_http_srv/mute_member '{"RoomId":"e2e_room","MemberList_Account":["bot_1"],"MuteTime":600}'
rest live_engine_http_srv/ban_member '{"RoomId":"e2e_room","MemberList_Account":["bot_2"],"Duration":600,"Reason":"console e2e"}'
rest live_engine_http_srv/add_gift '{"GiftId":"heart","DefaultName":"Heart","Coins":5}'
rest live_engine_http_srv/add_gift_category '{"CategoryId":"hot","DefaultName":"Hot"}'
# The log's line for an unknown API, made on purpose: it proves the pattern below matches what the
# mock writes, and marks where the console's calls begin.
unknown='^[0-9:]* REST "[^"]*" by .*: FAIL 60009 '
call console_e2e/begin '{}' >/dev/null
wait_for "the mock's log line for /v4/console_e2e/begin" grep -q "REST \"/v4/console_e2e/begin\" by .*: FAIL 60009 " "$work/serve.log"
grep "console_e2e/begin" "$work/serve.log" | grep -q "$unknown" || { echo "console-e2e: the 60009 pattern does not match the mock's log line" >&2; exit 1; }

echo "== building the console (pnpm install, vite build)"
cp -r "$src" "$work/console"
rm -rf "$work/console/.git"
node "$here/console-e2e/standin.cjs" "$work/console/packages/vue-sdk/dist"
# The lockfile pins exact versions that a registry mirror may lack; package.json pins most of
# them as well. Where the registry has no version matching, the nearest it has is used (printed).
rm -f "$work/console/pnpm-lock.yaml" "$work/console/packages/server/pnpm-lock.yaml"
install() {
	local m name
	for _ in $(seq 1 30); do
		if bounded 900 env -C "$work/console" npx --yes pnpm@9 install --no-frozen-lockfile \
			--filter 'livekit-manager-vue3...' --filter livekit-manager-server >"$work/install.log" 2>&1; then
			return 0
		fi
		m=$(grep -oE 'No matching version found for @?[^@ ]+@[^ ]+' "$work/install.log" | head -1 | sed 's/.* for //; s/\.$//')
		[ -n "$m" ] || { tail -30 "$work/install.log" >&2; return 1; }
		name=${m%@*}
		[ "${m:0:1}" = @ ] && { name=@${m:1}; name=${name%@*}; }
		bounded 120 node "$here/console-e2e/pin.cjs" "$work/console" "$name" "${m#"$name"@}" || { tail -30 "$work/install.log" >&2; return 1; }
	done
	echo "console-e2e: pnpm install kept failing" >&2
	return 1
}
install
bounded 900 env -C "$work/console/packages/vue3" npx --yes pnpm@9 exec vite build --outDir ../server/public/vue --emptyOutDir >"$work/build.log" 2>&1 ||
	{ tail -30 "$work/build.log" >&2; exit 1; }

echo "== starting the console's server"
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
started env -C "$work/console/packages/server" SDK_APP_ID=$appid SECRET_KEY=$key USER_ID=administrator PORT="$port" \
	DOMAIN=console.tim.qq.com NODE_EXTRA_CA_CERTS="$work/cert.pem" NODE_OPTIONS="--require $here/console-e2e/dns.cjs" \
	node src/index.js >"$work/server.log" 2>&1
wait_for "the console's server on port $port" curl -sf --max-time 2 "http://127.0.0.1:$port/api/check_config"

echo "== driving the pages in headless Chromium"
bounded 300 npm install --silent --no-save --prefix "$work/pw" playwright-core@1 >/dev/null
cp "$here/console-e2e/drive.mjs" "$work/pw/drive.mjs"
SHOT="$work/failure.png" bounded 300 node "$work/pw/drive.mjs" "http://127.0.0.1:$port" "$chromium" || { KEEP=${KEEP:-1}; exit 1; }

echo "== the mock's log"
call console_e2e/end '{}' >/dev/null
wait_for "the mock's log line for /v4/console_e2e/end" grep -q 'REST "/v4/console_e2e/end"' "$work/serve.log"
sed -n '/REST "\/v4\/console_e2e\/begin"/,/REST "\/v4\/console_e2e\/end"/p' "$work/serve.log" | sed '1d;$d' >"$work/console-calls.log"
calls=$(grep -c ' REST ' "$work/console-calls.log" || true)
[ "$calls" -gt 0 ] || { echo "console-e2e: the mock logged no call of the console" >&2; exit 1; }
sed -n 's/^[0-9:]* REST \([^ ]*\) by .*/\1/p' "$work/console-calls.log" | sort | uniq -c | sort -rn | sed 's/^ */  /'
if grep "$unknown" "$work/console-calls.log"; then
	echo "console-e2e: the console called APIs the mock does not serve (above)" >&2
	exit 1
fi
if grep ' REST .*: FAIL ' "$work/console-calls.log"; then
	echo "console-e2e: the mock refused calls of the console (above)" >&2
	exit 1
fi
if grep -q 'log lines\? dropped' "$work/serve.out" "$work/serve.log"; then
	echo "console-e2e: the mock dropped log lines: the count above is short" >&2
	exit 1
fi
echo "console-e2e: ok in $(($(date +%s) - began)) s: 5 pages loaded, $calls REST calls of the console, none unknown (60009) nor refused"
