// livehook console, the serve page: the mock's rooms, refreshed every second, and every webhook
// it fired with what became of it, live. Every value goes into the page as text: see common.js.
"use strict";

(function () {
  const { $, el, shortCommand, latency, timeOf, pretty, kvTable, setConn, session, login } = window.livehook;
  const state = { hello: null, items: [], leftOut: 0, dropped: 0, selected: null, es: null, timer: null };

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
    if (d._id === state.selected) tr.classList.add("selected");
    tr.addEventListener("click", () => select(d._id));
    return tr;
  }

  function notice() {
    let s = state.items.length + " webhooks";
    if (state.leftOut > 0) s += "; " + state.leftOut + " older left out (the page keeps the newest " + state.hello.max_rows + ")";
    if (state.dropped > 0) s += "; " + state.dropped + " not shown because the page fell behind";
    $("notice").textContent = s;
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

  function select(id) {
    state.selected = id;
    for (const tr of $("tbody").querySelectorAll("tr.selected")) tr.classList.remove("selected");
    const tr = $("tbody").querySelector('tr[data-seq="' + id + '"]');
    if (tr) tr.classList.add("selected");
    const d = state.items.find((x) => x._id === id);
    const box = $("detail");
    if (!d) { box.hidden = true; return; }
    box.hidden = false;
    const body = d.body || "";
    box.replaceChildren(
      el("h2", { text: "webhook #" + d.seq + " " + d.command + (d.room_id ? " — room " + d.room_id : "") }),
      el("p", { class: "verdict " + (d.acknowledged ? "v-ok" : "v-refused"), text: outcomeText(d) }),
      kvTable([["to", d.url], ["fired", new Date(d.fired).toISOString()], ["done", new Date(d.done).toISOString()],
        ["delay", latency(d.delay_ns)], ["attempts", String(d.attempts)], ["status", d.status ? String(d.status) : "none"]]),
      el("h3", { text: "body" }),
      el("pre", { class: "body-pretty", text: pretty(body) }),
      el("details", {}, el("summary", { text: "exact bytes" }), el("pre", { class: "body-raw", text: body })),
    );
  }

  function curl() {
    const q = "sdkappid=1400000001&identifier=administrator&random=1&contenttype=json";
    return "curl -s -d '{\"RoomInfo\":{\"RoomId\":\"live_1\",\"RoomType\":\"Live\",\"RoomName\":\"evening show\"}}' '" +
      location.origin + "/v4/live_engine_http_srv/create_room?" + q + "'";
  }

  async function refreshRooms() {
    const r = await fetch("/console/api/rooms", { credentials: "same-origin" }).catch(() => null);
    if (!r || !r.ok) return;
    const j = await r.json().catch(() => null);
    if (!j) return;
    const rooms = j.rooms || [];
    const frag = document.createDocumentFragment();
    for (const rm of rooms) {
      const info = rm.RoomInfo || {};
      frag.append(el("tr", { class: "room", "data-room": info.RoomId || "" },
        el("td", { class: "r-id", text: info.RoomId || "" }),
        el("td", { class: "r-name", text: info.RoomName || "" }),
        el("td", { class: "r-owner", text: String(info.Owner_Account ?? "") }),
        el("td", { class: "r-admins", text: (rm.Admin_Account || []).join(", ") }),
        el("td", { class: "r-online", text: String(rm.Online ?? "") })));
    }
    $("rooms-body").replaceChildren(frag);
    $("rooms-count").textContent = rooms.length + (rooms.length === 1 ? " room" : " rooms");
    $("rooms-empty").hidden = rooms.length !== 0;
    $("rooms").hidden = rooms.length === 0;
    $("rooms-curl").textContent = curl();
  }

  function connect() {
    if (state.es) state.es.close();
    setConn("connecting", "connecting…");
    const es = new EventSource("/console/events");
    state.es = es;
    es.addEventListener("hello", (ev) => {
      const h = JSON.parse(ev.data);
      if (state.hello == null) state.leftOut = h.left_out;
      state.hello = h;
      $("counts").textContent = h.fired + " webhooks fired";
      setConn("live", "live");
      notice();
    });
    es.addEventListener("webhook", (ev) => {
      const d = JSON.parse(ev.data);
      d._id = Number(ev.lastEventId);
      add(d);
      refreshRooms();
    });
    es.addEventListener("dropped", (ev) => { state.dropped = JSON.parse(ev.data).dropped; notice(); });
    es.onerror = () => {
      setConn("down", es.readyState === EventSource.CLOSED ? "disconnected" : "reconnecting…");
      if (es.readyState === EventSource.CLOSED) session();
    };
    refreshRooms();
    if (!state.timer) state.timer = setInterval(refreshRooms, 1000);
  }

  login(connect);
  session().then((ok) => { if (ok) connect(); });
})();
