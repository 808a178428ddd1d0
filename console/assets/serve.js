// livehook console, the serve page: the mock's rooms in get_room_list's order (refreshed every
// second and at every webhook), its callback configuration, every webhook it fired with what
// became of it (live), and a form that calls the room APIs. Every value goes into the page as
// text: see common.js.
"use strict";

(function () {
  const { $, el, shortCommand, latency, timeOf, pretty, kvTable, api, setConn, session, login } = window.livehook;
  const state = {
    hello: null, items: [], leftOut: 0, dropped: 0,
    selected: null,   // {kind: "webhook", id} or {kind: "room", app, id}
    st: null,         // the last /console/api/state
    shownRoom: "",    // the JSON of the room in the detail view, to redraw it only when it changed
    infoOpen: false,  // the room's info unfolded
    es: null, timer: null, soon: null, refreshing: false,
  };

  // ---- webhooks fired ---------------------------------------------------------------------

  function outcomeText(d) {
    let s = d.acknowledged ? "acknowledged" : "failed: " + (d.error || d.outcome || ("HTTP " + d.status));
    if (d.attempts > 1) s += " after " + d.attempts + " attempts";
    if (d.redelivery) s += " (again)";
    if (d.condition) s += " [" + d.condition + "]";
    return s;
  }

  function row(d) {
    const tr = el("tr", { "data-seq": String(d._id), class: "row " + (d.acknowledged ? "v-ok" : "v-refused") });
    tr.append(
      el("td", { class: "c-time", text: timeOf(d.fired) }),
      el("td", { class: "c-command", text: shortCommand(d.command), title: d.command || "" }),
      el("td", { class: "c-room", text: d.room_id || "", title: d.room_id || "" }),
      el("td", { class: "c-verdict", text: outcomeText(d), title: outcomeText(d) }),
      el("td", { class: "c-latency", text: latency(d.delay_ns) }),
    );
    if (isSelected("webhook", d._id)) tr.classList.add("selected");
    tr.addEventListener("click", () => select({ kind: "webhook", id: d._id }));
    return tr;
  }

  function notice() {
    let s = state.items.length + " webhooks";
    if (state.leftOut > 0) s += "; " + state.leftOut + " older left out (the page keeps the newest " + state.hello.max_rows + ")";
    if (state.dropped > 0) s += "; " + state.dropped + " not shown because the page fell behind (reload to see the kept ones)";
    $("notice").textContent = state.items.length === 0 ? "" : s;
    $("rows-empty").hidden = state.items.length !== 0;
    $("rows").hidden = state.items.length === 0;
  }

  function add(d) {
    state.items.push(d);
    const max = state.hello ? state.hello.max_rows : 500;
    if (state.items.length > max) {
      const gone = state.items.splice(0, state.items.length - max);
      state.leftOut += gone.length;
      for (const g of gone) {
        const tr = $("tbody").querySelector('tr[data-seq="' + g._id + '"]');
        if (tr) tr.remove();
      }
    }
    $("tbody").prepend(row(d));
    notice();
  }

  // ---- selection and the detail view -------------------------------------------------------

  function isSelected(kind, id, app) {
    const s = state.selected;
    return s != null && s.kind === kind && s.id === id && (app === undefined || s.app === app);
  }

  function select(sel) {
    state.selected = sel;
    state.shownRoom = "";
    for (const tr of document.querySelectorAll("tr.selected")) tr.classList.remove("selected");
    const tr = sel.kind === "webhook" ? $("tbody").querySelector('tr[data-seq="' + sel.id + '"]') : roomRow(sel.app, sel.id);
    if (tr) tr.classList.add("selected");
    if (sel.kind === "webhook") showWebhook(sel.id); else showRoom();
  }

  function roomRow(app, id) {
    for (const tr of $("rooms-body").querySelectorAll("tr.room")) {
      if (tr.dataset.room === id && Number(tr.dataset.app) === app) return tr;
    }
    return null;
  }

  function showWebhook(id) {
    const d = state.items.find((x) => x._id === id);
    const box = $("detail");
    if (!d) { box.hidden = true; return; }
    box.hidden = false;
    const body = d.body || "";
    const retries = state.st ? state.st.delivery.retries : 0;
    box.replaceChildren(
      el("h2", { text: "webhook #" + d.seq + " " + d.command + (d.room_id ? " — room " + d.room_id : "") }),
      el("p", { class: "verdict " + (d.acknowledged ? "v-ok" : "v-refused"), text: outcomeText(d) }),
      kvTable([["to", d.url], ["fired", new Date(d.fired).toISOString()], ["done", new Date(d.done).toISOString()],
        ["delay", latency(d.delay_ns) + " (the wait in the queue and the app's answer)"],
        ["attempts", d.attempts + " (a timed-out webhook is tried again up to " + retries + " time" + (retries === 1 ? "" : "s") + ")"],
        ["status", d.status ? String(d.status) : "no answer"], ["outcome", d.outcome || ""]]),
      el("h3", { text: "body" }),
      el("pre", { class: "body-pretty", text: pretty(body) }),
      el("details", {}, el("summary", { text: "exact bytes" }), el("pre", { class: "body-raw", text: body })),
    );
  }

  function findRoom(app, id) {
    if (!state.st) return null;
    for (const a of state.st.apps) {
      if (a.SdkAppid !== app) continue;
      return a.rooms.find((r) => r.RoomInfo.RoomId === id) || null;
    }
    return null;
  }

  function show(v) {
    if (v == null) return "";
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  function showRoom() {
    const sel = state.selected, box = $("detail");
    const rm = findRoom(sel.app, sel.id);
    const key = JSON.stringify(rm);
    if (key === state.shownRoom && !box.hidden) return; // unchanged: keep the reader's place
    state.shownRoom = key;
    box.hidden = false;
    if (!rm) {
      box.replaceChildren(el("h2", { text: "room " + sel.id }),
        el("p", { class: "verdict v-refused", text: "This room no longer exists (destroyed), or is beyond the rooms the page shows." }));
      return;
    }
    const info = rm.RoomInfo;
    const actions = el("div", { class: "room-actions" });
    for (const [label, name] of [["update", "update_room_info"], ["add admin", "modify_admin"], ["set metadata", "set_room_metadata"], ["destroy", "destroy_room"]]) {
      const b = el("button", { type: "button", class: "act-" + name, text: label });
      b.addEventListener("click", () => prefill(name, info.RoomId, sel.app));
      actions.append(b);
    }
    const meta = rm.Metadata || [];
    const stats = Object.entries(rm.Statistic || {}).map(([k, v]) => [k, show(v)]);
    stats.unshift(["Online", String(rm.Online)]);
    const infoTable = kvTable(Object.entries(info).map(([k, v]) => [k, show(v)]));
    infoTable.classList.add("room-info");
    const statsTable = kvTable(stats);
    statsTable.classList.add("room-stats");
    let metaBox = el("p", { class: "counts room-meta", text: "(none)" });
    if (meta.length) { metaBox = kvTable(meta.map((m) => [m.Key, m.Value])); metaBox.classList.add("room-meta"); }
    // The info is long: folded until asked for, and kept open across the redraws.
    const infoBox = el("details", { class: "room-info-box" }, el("summary", { text: "info (get_room_info): " + Object.keys(info).length + " fields" }), infoTable);
    infoBox.open = state.infoOpen;
    infoBox.addEventListener("toggle", () => { state.infoOpen = infoBox.open; });
    box.replaceChildren(
      el("h2", { text: "room " + info.RoomId + " — " + info.RoomName }),
      el("p", { class: "counts", text: (rm.listed ? "listed by get_room_list" : "not listed by get_room_list (IsPublicVisible is false)") + "; SdkAppid " + sel.app + "; the buttons fill the form below in" }),
      actions,
      el("h3", { text: "statistics (get_room_stats), live" }),
      statsTable,
      el("h3", { text: "admins (get_admin_list)" }),
      el("p", { class: "room-admins", text: (rm.Admin_Account || []).length ? rm.Admin_Account.join(", ") : "(none)" }),
      el("h3", { text: "metadata (get_room_metadata)" }),
      metaBox,
      infoBox,
    );
  }

  // ---- rooms and the callback ---------------------------------------------------------------

  function curl() {
    const st = state.st;
    const sig = st.skip_usersig ? "" : "&usersig=$USERSIG";
    return "curl -s -d '{\"RoomInfo\":{\"RoomId\":\"live_1\",\"RoomType\":\"Live\",\"RoomName\":\"evening show\"}}' '" +
      location.origin + "/v4/live_engine_http_srv/create_room?sdkappid=" + st.apps[0].SdkAppid + "&identifier=" +
      encodeURIComponent(st.admin) + sig + "&random=1&contenttype=json'";
  }

  function renderRooms(st) {
    const frag = document.createDocumentFragment();
    let total = 0, shown = 0;
    for (const a of st.apps) {
      total += a.room_count;
      shown += a.rooms.length;
      if (st.apps.length > 1) frag.append(el("tr", { class: "group" }, el("td", { colspan: "6", text: "SdkAppid " + a.SdkAppid + ": " + a.room_count + " rooms" })));
      for (const rm of a.rooms) {
        const info = rm.RoomInfo;
        const tr = el("tr", { class: "room", "data-room": info.RoomId, "data-app": String(a.SdkAppid) },
          el("td", { class: "r-id", text: info.RoomId, title: info.RoomId }),
          el("td", { class: "r-name", text: info.RoomName, title: info.RoomName + (rm.listed ? "" : " (not listed)") }),
          el("td", { class: "r-owner", text: show(info.Owner_Account) }),
          el("td", { class: "r-admins", text: (rm.Admin_Account || []).join(", ") }),
          el("td", { class: "r-online", text: String(rm.Online) }),
          el("td", { class: "r-views", text: String(info.ViewCount) }));
        if (!rm.listed) tr.classList.add("unlisted");
        if (isSelected("room", info.RoomId, a.SdkAppid)) tr.classList.add("selected");
        tr.addEventListener("click", () => select({ kind: "room", app: a.SdkAppid, id: info.RoomId }));
        frag.append(tr);
      }
    }
    $("rooms-body").replaceChildren(frag);
    let count = total + (total === 1 ? " room" : " rooms") + ", most viewed first (get_room_list's order)";
    if (shown < total) count += "; the page shows the first " + st.max_rooms + " of each app";
    $("rooms-count").textContent = count;
    $("rooms-empty").hidden = total !== 0;
    $("rooms").hidden = total === 0;
    $("rooms-curl").textContent = curl();
    $("rooms-curl-note").textContent = st.skip_usersig ? "" :
      "$USERSIG: a UserSig for " + st.admin + ", as livehook serve --print-usersig prints it (the form above needs none: the console makes one).";
  }

  function renderCallback(st) {
    const box = $("callback");
    const parts = [];
    for (const a of st.apps) {
      const cb = a.callback;
      const head = st.apps.length > 1 ? "SdkAppid " + a.SdkAppid + ": " : "";
      if (!cb) {
        parts.push(el("p", { class: "cb-none v-refused", text: head + "no callback configured, so no webhook is fired: start livehook serve with --callback URL, or call set_callback." }));
        continue;
      }
      parts.push(["URL", head + cb.Url],
        ["commands", cb.CallbackCommandList.map(shortCommand).join(", ") || "(none)"],
        ["signed", cb.signed ? "yes: Sign and RequestTime with the callback token" : (cb.token_set ? "no: the token is disabled" : "no: no callback token")]);
    }
    const d = st.delivery;
    const rows = parts.filter((p) => Array.isArray(p));
    rows.push(["delivery", "deadline " + latency(d.timeout_ns) + ", " + d.retries + " retr" + (d.retries === 1 ? "y" : "ies") +
      " after " + latency(d.retry_backoff_ns) + " for a webhook that timed out" + (d.conditions ? "; " + d.conditions : "")]);
    const t = kvTable(rows);
    t.classList.add("cb-config");
    box.replaceChildren(...parts.filter((p) => !Array.isArray(p)), t);
    const anyCallback = st.apps.some((a) => a.callback);
    $("rows-empty-text").textContent = anyCallback ?
      "No webhook fired yet. The mock fires one to the callback URL at each change of a room: create a room with the form." :
      "No webhook fired yet, and none will be: no callback URL is configured (see callback above).";
  }

  async function refresh() {
    if (state.refreshing) return;
    state.refreshing = true;
    try {
      const r = await fetch("/console/api/state", { credentials: "same-origin" }).catch(() => null);
      if (!r || !r.ok) return;
      const st = await r.json().catch(() => null);
      if (!st) return;
      const first = state.st == null;
      state.st = st;
      renderRooms(st);
      renderCallback(st);
      const s = st.stats;
      $("counts").textContent = "SdkAppid " + st.apps[0].SdkAppid + "; webhooks fired " + s.fired + ": " + s.acknowledged + " acknowledged, " + s.failed + " failed, " + s.pending + " pending";
      if (first) initForm(st);
      if (state.selected && state.selected.kind === "room") showRoom();
    } finally {
      state.refreshing = false;
    }
  }

  // refreshSoon reads the state once within a quarter second of a webhook, however many come:
  // a busy mock fires hundreds a second.
  function refreshSoon() {
    if (state.soon) return;
    state.soon = setTimeout(() => { state.soon = null; refresh(); }, 250);
  }

  // ---- the REST form ------------------------------------------------------------------------

  function template(name, room) {
    const id = room || "live_1";
    switch (name) {
      case "create_room": return { RoomInfo: { RoomId: nextRoomId(), RoomType: "Live", RoomName: "evening show" } }; // a new room, whichever is open
      case "update_room_info": return { RoomInfo: { RoomId: id, RoomName: "new name" } };
      case "modify_admin": return { RoomId: id, OpType: "add", Admin_Account: ["mod_1"] };
      case "set_room_metadata": return { RoomId: id, Metadata: [{ Key: "topic", Value: "music" }] };
      case "del_room_metadata": return { RoomId: id, Keys: ["topic"] };
      case "change_room_owner": return { RoomId: id, NewOwner_Account: "host_2" };
      case "get_room_list": return { Next: "0", Count: 20, SortDirection: "descend" };
      default: return { RoomId: id };
    }
  }

  function nextRoomId() {
    const have = new Set();
    for (const a of (state.st ? state.st.apps : [])) for (const r of a.rooms) have.add(r.RoomInfo.RoomId);
    let i = 1;
    while (have.has("live_" + i)) i++;
    return "live_" + i;
  }

  function selectedRoomId() {
    const s = state.selected;
    return s && s.kind === "room" ? s.id : null;
  }

  function prefill(name, room, app) {
    $("call-api").value = name;
    if (app) $("call-app").value = String(app);
    $("call-body").value = JSON.stringify(template(name, room));
    $("call-body").focus({ preventScroll: true });
  }

  function initForm(st) {
    const sel = $("call-api");
    const order = ["create_room", "update_room_info", "modify_admin", "destroy_room"];
    const names = [...order.filter((n) => st.apis.includes(n)), ...st.apis.filter((n) => !order.includes(n))];
    for (const n of names) { const o = document.createElement("option"); o.value = n; o.text = n; sel.append(o); }
    const apps = $("call-app");
    for (const a of st.apps) { const o = document.createElement("option"); o.value = String(a.SdkAppid); o.text = "SdkAppid " + a.SdkAppid; apps.append(o); }
    apps.hidden = st.apps.length < 2;
    sel.value = "create_room";
    $("call-body").value = JSON.stringify(template("create_room"));
    $("call-as").textContent = "POST to the mock's own API as " + st.admin + (st.skip_usersig ? " (UserSigs are not checked)" : ", with a UserSig the console makes") + ".";
    sel.addEventListener("change", () => { $("call-body").value = JSON.stringify(template(sel.value, selectedRoomId())); });
  }

  $("call").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = $("call-result"), btn = $("call-go");
    btn.disabled = true;
    out.replaceChildren(el("p", { text: "calling…" }));
    try {
      const r = await api("/console/api/call", { sdkappid: Number($("call-app").value) || 0, api: $("call-api").value, body: $("call-body").value });
      const j = await r.json().catch(() => ({}));
      if (!r.ok) { out.replaceChildren(el("p", { class: "error", text: j.error || ("HTTP " + r.status) })); return; }
      let env = null;
      try { env = JSON.parse(j.envelope); } catch (e) { /* shown as it came */ }
      const ok = env && env.ActionStatus === "OK";
      const verdict = env ? (ok ? "OK" : "FAIL " + env.ErrorCode + ": " + env.ErrorInfo) : "not an envelope";
      out.replaceChildren(
        el("h3", { text: "request" }),
        el("pre", { class: "call-request", text: j.method + " " + j.url + "\n\n" + j.body }),
        el("h3", { text: "answer: HTTP " + j.status + " in " + latency(j.took_ns) }),
        el("p", { class: "call-verdict " + (ok ? "v-ok" : "v-refused"), text: verdict }),
        el("pre", { class: "call-envelope", text: pretty(j.envelope) }),
      );
      refresh();
    } catch (e) {
      out.replaceChildren(el("p", { class: "error", text: String(e) }));
    } finally {
      btn.disabled = false;
    }
  });

  $("copy-curl").addEventListener("click", () => {
    if (navigator.clipboard) navigator.clipboard.writeText($("rooms-curl").textContent);
  });

  // ---- stream -------------------------------------------------------------------------------

  function connect() {
    if (state.es) state.es.close();
    setConn("connecting", "connecting…");
    const es = new EventSource("/console/events");
    state.es = es;
    es.addEventListener("hello", (ev) => {
      const h = JSON.parse(ev.data);
      if (state.hello == null) state.leftOut = h.left_out;
      state.hello = h;
      setConn("live", "live");
      notice();
    });
    es.addEventListener("webhook", (ev) => {
      const d = JSON.parse(ev.data);
      d._id = Number(ev.lastEventId);
      add(d);
      refreshSoon();
    });
    es.addEventListener("dropped", (ev) => { state.dropped = JSON.parse(ev.data).dropped; notice(); });
    es.onerror = () => {
      setConn("down", es.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…");
      if (es.readyState === EventSource.CLOSED) session();
    };
    refresh();
    if (!state.timer) state.timer = setInterval(refresh, 1000);
  }

  login(connect);
  notice();
  session().then((ok) => { if (ok) connect(); });
})();
