#!/usr/bin/env bash
# console-e2e.sh: build the vendor's admin console (TUILiveKit_Manager) from a checkout of its
# public source, run its Node server against `livehook serve`, and drive its room, moderation,
# gift and seat pages in headless Chromium, failing when any call it makes is answered 60009
# ("unknown API").
#
#   scripts/console-e2e.sh PATH/TO/TUILiveKit_Manager
#
# Not part of .ci/run: it needs the npm registry (pnpm, the console's packages, playwright-core),
# Debian's chromium (apt-get install -y chromium), and port 443 on 127.0.0.1, since the console
# calls https://console.tim.qq.com/... with no port. Its Node server is pointed at the mock by a
# preload that resolves *.tim.qq.com to 127.0.0.1, and trusts the mock's self-signed certificate
# through NODE_EXTRA_CA_CERTS. Live video, chat and the audience list need the vendor's IM
# WebSocket and media services and stay out of scope (docs/protocol.md §6).
set -euo pipefail

src=${1:?usage: scripts/console-e2e.sh PATH/TO/TUILiveKit_Manager (a checkout of github.com/Tencent-RTC/TUILiveKit_Manager)}
[ -d "$src/packages/server" ] && [ -d "$src/packages/vue3" ] || { echo "console-e2e: $src has no packages/server and packages/vue3: give a checkout of TUILiveKit_Manager" >&2; exit 2; }
src=$(cd "$src" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "console-e2e: no Chromium at $chromium: apt-get install -y chromium, or set CHROMIUM" >&2; exit 2; }

appid=1400000001
key=console-e2e-secret
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

# wait_for URL: until it answers, at most 60 s.
wait_for() {
	for _ in $(seq 1 120); do
		curl -sk -o /dev/null "$1" && return 0
		sleep 0.5
	done
	echo "console-e2e: $1 never answered" >&2
	return 1
}

echo "== building livehook"
(cd "$repo" && go build -o "$work/livehook" .)

echo "== starting the mock at https://console.tim.qq.com (127.0.0.1:443)"
"$work/livehook" serve --addr 127.0.0.1:443 --sdkappid "$appid" --secret-key "$key" \
	--tls-self-signed console.tim.qq.com,127.0.0.1 --tls-cert-out "$work/cert.pem" --activity 5 --print-usersig \
	>"$work/serve.out" 2>"$work/serve.log" &
pids+=($!)
wait_for "https://127.0.0.1:443/mock/rooms"

cat >"$work/dns.cjs" <<'JS'
// Resolve the vendor's REST domains to the mock on loopback.
const dns = require('dns');
const lookup = dns.lookup;
dns.lookup = function (host, opts, cb) {
  if (/(^|\.)tim\.qq\.com$|(^|\.)im\.qcloud\.com$/.test(host)) {
    if (typeof opts === 'function') { cb = opts; opts = {}; }
    return opts && opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
  }
  return lookup.apply(this, arguments);
};
JS

echo "== building the console (pnpm install, vite build)"
cp -r "$src" "$work/console"
(cd "$work/console" && npx --yes pnpm@9 install --no-frozen-lockfile >"$work/install.log" 2>&1) || { tail -30 "$work/install.log" >&2; exit 1; }
(cd "$work/console/packages/vue3" && npx --yes pnpm@9 run build >"$work/build.log" 2>&1) || { tail -30 "$work/build.log" >&2; exit 1; }

echo "== starting the console's server and its pages"
(cd "$work/console/packages/server" && SDK_APP_ID=$appid SECRET_KEY=$key USER_ID=administrator PORT=9000 \
	DOMAIN=console.tim.qq.com NODE_EXTRA_CA_CERTS="$work/cert.pem" NODE_OPTIONS="--require $work/dns.cjs" \
	node src/index.js >"$work/server.log" 2>&1) &
pids+=($!)
(cd "$work/console/packages/vue3" && npx vite preview --port 2027 --strictPort >"$work/preview.log" 2>&1) &
pids+=($!)
wait_for "http://127.0.0.1:9000/"
wait_for "http://127.0.0.1:2027/"

echo "== a room with members, a seat and gifts, through the mock's REST API"
sig=$(sed -n 's/^  //p' "$work/serve.out" | head -1) # serve's --print-usersig
q="sdkappid=$appid&identifier=administrator&usersig=$sig&random=1&contenttype=json"
rest() { curl -sk --cacert "$work/cert.pem" -d "$2" "https://127.0.0.1:443/v4/$1?$q"; echo; }
rest live_engine_http_srv/create_room '{"RoomInfo":{"RoomId":"e2e_room","RoomType":"Live","SeatTemplate":"VideoDynamicGrid9Seats","Owner_Account":"host_1","RoomName":"console e2e"}}'
rest live_engine_http_srv/add_robot '{"RoomId":"e2e_room","RobotList_Account":["bot_1","bot_2"]}'
rest room_engine_http_mic/pick_user_on_seat '{"RoomId":"e2e_room","Member_Account":"bot_1","Index":1}'
rest live_engine_http_srv/add_gift '{"GiftId":"heart","DefaultName":"Heart","Coins":5}'

echo "== driving the pages in headless Chromium"
npm install --silent --prefix "$work/pw" playwright-core@1 >/dev/null
cat >"$work/pw/drive.mjs" <<'JS'
import { chromium } from 'playwright-core';
const [base, exe] = process.argv.slice(2);
const pages = ['#/live-list', '#/live-monitor', '#/live-control/e2e_room', '#/gift-config', '#/gift-category'];
const browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage();
const unknown = [];
page.on('response', async (r) => {
  if (!r.url().includes('/api/')) return;
  try { const b = await r.json(); if (b && b.ErrorCode === 60009) unknown.push(r.url() + ' ' + (b.ErrorInfo || '')); } catch {}
});
for (const p of pages) {
  await page.goto(base + '/' + p, { waitUntil: 'networkidle', timeout: 30000 });
  console.log('loaded', p);
}
await browser.close();
if (unknown.length) { console.error('answered 60009:\n' + unknown.join('\n')); process.exit(1); }
JS
node "$work/pw/drive.mjs" "http://127.0.0.1:2027" "$chromium"

echo "== the mock's log: no call answered 60009"
if grep -n "FAIL 60009" "$work/serve.log"; then
	echo "console-e2e: the console called APIs the mock does not serve (above)" >&2
	exit 1
fi
echo "console-e2e: ok: $(grep -c '^.*REST ' "$work/serve.log" || true) REST calls, none unknown"
