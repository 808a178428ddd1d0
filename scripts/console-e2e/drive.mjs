// drive.mjs BASE CHROMIUM: drives the console's pages at BASE (its Node server, the SPA at /vue/)
// in headless Chromium and checks that each shows what console-e2e.sh put into the mock: the room
// e2e_room ("console e2e", owner host_1, two robots entered, bot_1 on seat 1 and muted, bot_2
// banned), the gift heart ("Heart", 5 coins), the gift category hot ("Hot"). On the room's page it
// lifts bot_2's ban through the page and waits for the page's banned list to come back empty.
// Every wait is bounded. Prints a line per page; exits 1 on the first page that does not show what
// it must, or when any REST answer the pages got carried an ErrorCode (60009: an unknown API).
import { chromium } from 'playwright-core';

const [base, exe] = process.argv.slice(2);
const WAIT = 30000; // the console's server spaces calls outside its whitelist 1.1 s apart
const browser = await chromium.launch({
  executablePath: exe, timeout: WAIT,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.setDefaultTimeout(WAIT);
// Only the console's own server: its pages also call analytics and the vendor's media and IM
// services, which are out of reach here (and out of scope).
await page.route('**/*', (r) => (r.request().url().startsWith(base) ? r.continue() : r.abort()));

const answers = []; // {api, code, body}: every REST answer the console's server relayed
page.on('response', async (r) => {
  if (!r.url().includes('/api/trtc_proxy')) return;
  let api = '?', body = null;
  try { api = JSON.parse(r.request().postData() || '{}').apiPath || '?'; } catch {}
  try { body = await r.json(); } catch {}
  answers.push({ api, code: body ? body.ErrorCode : 'not JSON', body });
});
page.on('pageerror', (e) => console.log(`  (the page threw: ${String(e).split('\n')[0].slice(0, 160)})`));

const text = () => page.evaluate(() => document.body.innerText.replace(/\s+/g, ' '));
async function shows(what, ...needles) {
  try {
    await page.waitForFunction((ns) => {
      const t = document.body.innerText.replace(/\s+/g, ' ');
      return ns.every((n) => (n.startsWith('/') ? new RegExp(n.slice(1, -1)).test(t) : t.includes(n)));
    }, needles, { timeout: WAIT, polling: 250 });
  } catch {
    const t = await text().catch(() => '');
    throw new Error(`${what}: the page never showed ${needles.join(', ')}; it shows: ${t.slice(0, 600)}`);
  }
}
async function open(hash, ...needles) {
  await page.goto(`${base}/vue/${hash}`, { waitUntil: 'load', timeout: WAIT });
  await shows(hash, ...needles);
}
// answered waits, bounded, for an answer to the page's call of api that test accepts: the
// console's server spaces some calls 1.1 s apart, so the page can show other data first.
async function answered(api, test, what) {
  for (const until = Date.now() + WAIT; Date.now() < until;) {
    if (answers.some((x) => x.api === api && x.code === 0 && test(x.body.Response || x.body))) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const a = answers.filter((x) => x.api === api);
  throw new Error(a.length ? `${api} never answered ${what}: ${JSON.stringify(a[a.length - 1].body).slice(0, 400)}` : `the page never called ${api}`);
}

const loaded = [];
try {
  await open('#/live-list', 'e2e_room', 'console e2e', 'host_1');
  loaded.push('#/live-list (the room list: e2e_room, "console e2e", host_1)');

  await open('#/live-monitor', 'Live ID: e2e_room', 'console e2e');
  loaded.push('#/live-monitor (the monitor wall: e2e_room)');

  await open('#/live-control/e2e_room', 'console e2e', '/Total Views\\s*2\\b/');
  await answered('v4/room_engine_http_mic/get_seat_list',
    (r) => (r.SeatList || []).some((s) => s.Index === 1 && s.Member_Account === 'bot_1'), 'bot_1 on seat 1');
  await page.getByText('Audience List', { exact: true }).click();
  await shows('the audience tab', 'Muted List (1)', 'Banned List (1)');
  await page.locator('.audience-bottom-btn', { hasText: 'Banned List' }).click();
  await shows('the banned list', 'bot_2');
  await page.locator('.list-action-button', { hasText: 'Unban' }).click();
  await shows('the banned list after Unban', 'Banned List (0)');
  loaded.push('#/live-control/e2e_room (details: "console e2e", Total Views 2; seats: bot_1 on seat 1; moderation: muted 1, banned 1, Unban bot_2 -> banned 0)');

  await open('#/gift-config', 'heart', 'Heart');
  await answered('v4/live_engine_http_srv/get_gift_info_list', (r) => (r.GiftList || []).some((g) => g.GiftId === 'heart' && g.Coins === 5), 'the gift heart at 5 coins');
  loaded.push('#/gift-config (the gift list: heart, "Heart", 5 coins)');

  await open('#/gift-category', 'hot', 'Hot');
  loaded.push('#/gift-category (the category list: hot, "Hot")');
} catch (e) {
  console.error(`console-e2e: ${e.message}`);
  await page.screenshot({ path: process.env.SHOT || 'console-e2e-failure.png' }).catch(() => {});
  await browser.close();
  process.exit(1);
}
await browser.close();
for (const l of loaded) console.log(`  loaded ${l}`);
const bad = answers.filter((a) => a.code !== 0);
console.log(`  ${answers.length} REST answers relayed to the pages, ${bad.length} with an error`);
if (bad.length) {
  console.error('console-e2e: REST calls of the pages answered with an error (60009: an API the mock lacks):\n' +
    bad.map((a) => `  ${a.api}: ${a.code} ${JSON.stringify(a.body && a.body.ErrorInfo)}`).join('\n'));
  process.exit(1);
}
