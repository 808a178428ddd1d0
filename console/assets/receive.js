// livehook console, the receive page. Every value that came from the wire goes into the page
// as text (textContent, option.text, input.value), never as HTML: see common.js.
"use strict";

(function () {
  const { $, el, shortCommand, latency, timeOf, pretty, kvTable, api, setConn, session, login } = window.livehook;
  const state = {
    hello: null,
    items: [],        // oldest first, at most maxRows
    leftOut: 0,       // deliveries the page no longer shows (older than the newest maxRows)
    dropped: 0,       // deliveries the stream left out because the page fell behind
    selected: null,   // seq of the delivery in the detail view
    commands: new Set(),
    es: null,
  };

  // ---- values -------------------------------------------------------------------------------

  // category is the row's colour: refused by the protocol, else forwarded, else OK.
  function category(d) {
    if (!d.accepted) return "refused";
    return d.app ? "forwarded" : "ok";
  }

  function appText(a) {
    if (!a) return "";
    if (a.error) return "app gave no answer (" + a.error + "), the receiver answered itself";
    return "app " + a.status + " " + a.verdict + " in " + latency(a.latency_ns);
  }

  function verdictText(d) {
    let v = d.accepted ? "OK" : "refused " + d.status + ": " + (d.reason || "ErrorCode " + d.error_code);
    if (d.app) v += "; forwarded: " + appText(d.app);
    return v;
  }

  function bodyText(b64, text) {
    if (text != null) return text;
    if (b64 == null) return "";
    return atob(b64);
  }

  function searchText(d) {
    const parts = [d.command, d.room, d.query, d.path, d.reason, d.remote, bodyText(d.body_base64, d.body)];
    for (const [k, vs] of Object.entries(d.header || {})) parts.push(k + ": " + vs.join(", "));
    if (d.app) parts.push(appText(d.app));
    parts.push(bodyText(d.answer.body_base64, d.answer.body));
    return parts.join("\n").toLowerCase();
  }

  // ---- filters ------------------------------------------------------------------------------

  function matches(d) {
    const cmd = $("f-command").value, room = $("f-room").value.trim().toLowerCase();
    const verdict = $("f-verdict").value, text = $("f-text").value.trim().toLowerCase();
    if (cmd && d.command !== cmd) return false;
    if (room && !(d.room || "").toLowerCase().includes(room)) return false;
    if (verdict === "ok" && !d.accepted) return false;
    if (verdict === "refused" && d.accepted) return false;
    if (verdict === "forwarded" && !d.app) return false;
    if (text) {
      if (!d._search) d._search = searchText(d);
      if (!d._search.includes(text)) return false;
    }
    return true;
  }

  // ---- rows ---------------------------------------------------------------------------------

  function row(d) {
    const tr = el("tr", { "data-seq": String(d.seq), class: "row v-" + category(d) });
    tr.append(
      el("td", { class: "c-time", text: timeOf(d.time) }),
      el("td", { class: "c-command", text: shortCommand(d.command), title: d.command || "" }),
      el("td", { class: "c-room", text: d.room || "", title: d.room || "" }),
      el("td", { class: "c-verdict", text: verdictText(d), title: verdictText(d) }),
      el("td", { class: "c-latency", text: latency(d.took_ns) }),
    );
    if (d.seq === state.selected) tr.classList.add("selected");
    tr.addEventListener("click", () => select(d.seq));
    return tr;
  }

  function grouped() { return $("f-group").checked; }

  function renderRows() {
    const tbody = $("tbody");
    const frag = document.createDocumentFragment();
    let shown = 0;
    if (grouped()) {
      for (const g of groups()) {
        frag.append(groupRow(g));
        for (const [d, mark] of g.life) {
          const tr = row(d);
          tr.querySelector(".c-room").textContent = mark;
          tr.querySelector(".c-room").title = mark;
          if (mark) tr.classList.add("marked");
          frag.append(tr);
          shown++;
        }
      }
    } else {
      for (let i = state.items.length - 1; i >= 0; i--) {
        const d = state.items[i];
        if (!matches(d)) continue;
        frag.append(row(d));
        shown++;
      }
    }
    tbody.replaceChildren(frag);
    renderNotice(shown);
  }

  // ---- a room's life ------------------------------------------------------------------------

  function eventTime(d) {
    const m = /"EventTime"\s*:\s*(\d+)/.exec(d.body || "");
    return m ? Number(m[1]) : null;
  }

  // groups are the shown deliveries by room, the room with the newest delivery first, each as
  // its life in order of arrival, with what is out of the ordinary marked: an event before the
  // room's creation (reordered), a creation not seen, a creation again, an event after the
  // destroy, an EventTime earlier than the previous event's.
  function groups() {
    const byRoom = new Map();
    for (const d of state.items) {
      if (!matches(d)) continue;
      const k = d.room || "";
      if (!byRoom.has(k)) byRoom.set(k, []);
      byRoom.get(k).push(d);
    }
    const out = [];
    for (const [room, ds] of byRoom) {
      let created = false, destroyed = false, lastTime = null, marks = 0;
      const hasCreate = ds.some((d) => d.command === "Live.CallbackAfterCreateRoom");
      const life = ds.map((d) => {
        const m = [];
        const t = eventTime(d);
        if (d.command === "Live.CallbackAfterCreateRoom") {
          if (created) m.push("created again (a redelivery?)");
          if (destroyed) m.push("created after its destroy");
          created = true;
        } else if (room) {
          if (!created && hasCreate) m.push("before its room's creation (out of order)");
          if (destroyed) m.push("after its room was destroyed");
        }
        if (d.command === "Live.CallbackAfterDestroyRoom") {
          if (destroyed) m.push("destroyed again (a redelivery?)");
          destroyed = true;
        }
        if (t != null && lastTime != null && t < lastTime) m.push("EventTime earlier than the event before");
        if (t != null) lastTime = t;
        if (m.length) marks++;
        return [d, m.join("; ")];
      });
      const steps = [];
      if (!room) steps.push("deliveries naming no room");
      else {
        if (!hasCreate) steps.push("creation not seen");
        const admins = ds.filter((d) => d.command === "Live.CallbackAfterModifyAdmin").length;
        if (hasCreate) steps.push("created");
        if (admins) steps.push(admins + " admin change" + (admins > 1 ? "s" : ""));
        const others = ds.filter((d) => !/(CreateRoom|ModifyAdmin|DestroyRoom)$/.test(d.command || "")).length;
        if (others) steps.push(others + " other");
        if (destroyed) steps.push("destroyed");
      }
      out.push({ room, life, summary: steps.join(" → ") + (marks ? " (" + marks + " marked)" : ""), newest: ds[ds.length - 1].seq });
    }
    out.sort((a, b) => b.newest - a.newest);
    return out;
  }

  function groupRow(g) {
    const tr = el("tr", { class: "group", "data-room": g.room });
    tr.append(el("td", { colspan: "5" }, el("span", { class: "g-room", text: g.room ? "room " + g.room : "" }), " ", el("span", { class: "g-life", text: g.summary })));
    return tr;
  }

  function renderNotice(shown) {
    const n = state.items.length;
    let s = n === shown ? shown + " deliveries" : shown + " of " + n + " deliveries match the filters";
    if (state.leftOut > 0) s += "; " + state.leftOut + " older left out (the page keeps the newest " + state.hello.max_rows + ")";
    if (state.dropped > 0) s += "; " + state.dropped + " not shown because the page fell behind (reload to see the kept ones)";
    if (state.hello && state.hello.missed > 0) s += "; the console missed " + state.hello.missed;
    $("notice").textContent = n === 0 ? "" : s;
    $("empty").hidden = n !== 0;
    $("rows").hidden = n === 0;
  }

  function addCommand(c) {
    if (!c || state.commands.has(c)) return;
    state.commands.add(c);
    const opt = document.createElement("option");
    opt.value = c;
    opt.text = shortCommand(c);
    $("f-command").append(opt);
  }

  function add(d) {
    state.items.push(d);
    addCommand(d.command);
    const max = state.hello ? state.hello.max_rows : 500;
    if (state.items.length > max) {
      const gone = state.items.splice(0, state.items.length - max);
      state.leftOut += gone.length;
      for (const g of gone) {
        if (g.seq === state.selected) state.selected = null;
        const tr = $("tbody").querySelector('tr[data-seq="' + g.seq + '"]');
        if (tr) tr.remove();
      }
    }
    if (grouped()) { renderRows(); return; }
    if (matches(d)) $("tbody").prepend(row(d));
    renderNotice($("tbody").querySelectorAll("tr.row").length);
  }

  // ---- detail -------------------------------------------------------------------------------

  function queryPairs(q) {
    const out = [];
    for (const part of (q || "").split("&")) {
      if (!part) continue;
      const i = part.indexOf("=");
      const k = i < 0 ? part : part.slice(0, i), v = i < 0 ? "" : part.slice(i + 1);
      let dk = k, dv = v;
      try { dk = decodeURIComponent(k.replace(/\+/g, " ")); dv = decodeURIComponent(v.replace(/\+/g, " ")); } catch (e) { /* shown as sent */ }
      out.push([dk, dv]);
    }
    return out;
  }

  function bodyBlock(text, b64, cut, total, seq, what) {
    const box = el("div", { class: "body" });
    if (text == null && b64 == null) { box.append(el("p", { class: "muted", text: "(no body)" })); return box; }
    const exact = text != null ? text : atob(b64);
    const pre = el("pre", { class: what + "-pretty", text: text != null ? pretty(text) : "(not UTF-8: " + exact.length + " bytes, shown exactly below as base64)" });
    const raw = el("details", {}, el("summary", { text: "exact bytes" + (cut ? " (the first " + exact.length + " of " + total + ")" : "") }),
      el("pre", { class: what + "-raw", text: text != null ? text : b64 }));
    box.append(pre, raw);
    if (seq != null) {
      const a = el("a", { href: "/console/api/body?seq=" + seq, download: "delivery-" + seq + ".body", text: "download the body's exact bytes" });
      box.append(a);
    }
    return box;
  }

  function select(seq) {
    state.selected = seq;
    for (const tr of $("tbody").querySelectorAll("tr.selected")) tr.classList.remove("selected");
    const tr = $("tbody").querySelector('tr[data-seq="' + seq + '"]');
    if (tr) tr.classList.add("selected");
    const d = state.items.find((x) => x.seq === seq);
    const box = $("detail");
    if (!d) { box.hidden = true; return; }
    box.hidden = false;
    const verdict = el("p", { class: "verdict v-" + category(d), text: verdictText(d) });
    const checks = el("ul", { class: "checks" });
    for (const c of d.checks || []) {
      checks.append(el("li", { class: "check-" + c.result.replace(" ", "") }, el("span", { class: "check-result", text: c.result + ": " }), c.name));
    }
    const answer = d.answer || {};
    const parts = [
      el("h2", { text: "#" + d.seq + " " + (d.command || "(no command)") + (d.room ? " — room " + d.room : "") }),
      verdict,
      resendForm(d),
      kvTable([["time", new Date(d.time).toISOString()], ["from", d.remote], ["request", d.method + " " + d.path], ["latency", latency(d.took_ns)]]),
      el("h3", { text: "checks" }), checks,
      el("h3", { text: "query parameters" }), kvTable(queryPairs(d.query)),
      el("details", {}, el("summary", { text: "query as sent" }), el("pre", { class: "query-raw", text: d.query })),
      el("h3", { text: "headers" }), kvTable(Object.entries(d.header || {}).map(([k, vs]) => [k, vs.join(", ")])),
      el("h3", { text: "body (" + d.body_bytes + " bytes)" }), bodyBlock(d.body, d.body_base64, d.body_cut, d.body_bytes, d.seq, "body"),
      el("h3", { text: "answer: " + answer.status + " from the " + (answer.from === "app" ? "app" : "receiver") + (answer.content_type ? " (" + answer.content_type + ")" : "") }),
      bodyBlock(answer.body, answer.body_base64, answer.body_cut, null, null, "answer"),
    ];
    if (d.app) parts.push(el("h3", { text: "forwarded to the app" }), el("p", { class: "app", text: appText(d.app) }));
    if (d.token_removed) parts.push(el("p", { class: "error", text: "The receiver's token appeared in this request and was cut out of what is shown." }));
    box.replaceChildren(...parts);
  }

  function resendForm(d) {
    const url = el("input", { type: "url", class: "resend-url", "aria-label": "send again to" });
    url.value = (state.hello && state.hello.forward) || location.origin + d.path;
    const btn = el("button", { type: "button", class: "resend-go", text: "Send again" });
    const out = el("div", { class: "resend-result" });
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      out.replaceChildren(el("p", { text: "sending…" }));
      try {
        const r = await api("/console/api/resend", { seq: d.seq, url: url.value });
        const j = await r.json();
        if (!r.ok) { out.replaceChildren(el("p", { class: "error", text: j.error || ("HTTP " + r.status) })); return; }
        const lines = [el("p", { text: "sent to " + j.url + (j.signed ? " (signed afresh)" : "") })];
        if (j.error) lines.push(el("p", { class: "error", text: "no answer: " + j.error }));
        else lines.push(el("p", { class: "resend-answer", text: "answered " + j.status + " " + j.verdict + " in " + latency(j.took_ns) }), el("pre", { text: j.body || "" }));
        if (j.token_note) lines.push(el("p", { class: "muted", text: j.token_note }));
        out.replaceChildren(...lines);
      } catch (e) {
        out.replaceChildren(el("p", { class: "error", text: String(e) }));
      } finally {
        btn.disabled = false;
      }
    });
    // Say where it goes: by default the forward target, else this receiver itself, which checks
    // it again (useful after fixing the sender's settings, not to reach the app).
    const fwd = state.hello && state.hello.forward;
    const hint = el("p", { class: "counts resend-hint", text: fwd ?
      "Send again re-sends this request as it came to the --forward-to app (or a URL you type)" + (state.hello.signed ? ", signed afresh." : ".") :
      "Send again re-sends this request as it came to the URL above: this receiver, which checks it again, unless you type your app's URL." });
    return el("div", { class: "resend-box" }, el("label", { class: "counts", text: "send again to" }), el("div", { class: "resend" }, url, btn), hint, out);
  }

  // ---- download -----------------------------------------------------------------------------

  function ranges(seqs) {
    seqs.sort((a, b) => a - b);
    const out = [];
    for (let i = 0; i < seqs.length;) {
      let j = i;
      while (j + 1 < seqs.length && seqs[j + 1] === seqs[j] + 1) j++;
      out.push(i === j ? String(seqs[i]) : seqs[i] + "-" + seqs[j]);
      i = j + 1;
    }
    return out.join(",");
  }

  $("download").addEventListener("click", () => {
    const seqs = state.items.filter(matches).map((d) => d.seq);
    if (seqs.length === 0) { $("notice").textContent = "nothing to download: no delivery is shown"; return; }
    const a = el("a", { href: "/console/api/recording?seq=" + ranges(seqs), download: "" });
    document.body.append(a);
    a.click();
    a.remove();
  });

  // ---- stream -------------------------------------------------------------------------------

  function emptyState(h) {
    const base = location.origin + "/webhook";
    if (h.signed) {
      $("empty-curl").textContent = "livehook run --target " + base + " --sdkappid " + h.sdkappid + " --token \"$TOKEN\"";
      return;
    }
    const q = "SdkAppid=" + h.sdkappid + "&CallbackCommand=Live.CallbackAfterCreateRoom&contenttype=json&ClientIP=127.0.0.1&OptPlatform=Web";
    const body = JSON.stringify({ CallbackCommand: "Live.CallbackAfterCreateRoom", Operator_Account: "admin", EventTime: Date.now(),
      RoomInfo: { RoomId: "live_1", RoomName: "first room", RoomType: "Live", Owner_Account: "admin", MaxMemberCount: 300,
        IsMessageDisabled: false, IsSeatEnabled: true, TakeSeatMode: "ApplyToTake", MaxSeatCount: 8, CreateTime: Math.floor(Date.now() / 1000),
        IsPublicVisible: true, CoverURL: "", CustomInfo: "", Category: [] } });
    $("empty-curl").textContent = "curl -d '" + body + "' '" + base + "?" + q + "'";
  }

  function connect() {
    if (state.es) state.es.close();
    setConn("connecting", "connecting…");
    const es = new EventSource("/console/events");
    state.es = es;
    es.addEventListener("hello", (ev) => {
      const h = JSON.parse(ev.data);
      const first = state.hello == null;
      state.hello = h;
      if (first) state.leftOut = h.left_out + h.evicted;
      emptyState(h);
      $("counts").textContent = "SdkAppid " + h.sdkappid + (h.signed ? ", Sign checked" : ", Sign not checked") + (h.forward ? ", forwarding to " + h.forward : "");
      setConn("live", "live");
      renderRows();
    });
    es.addEventListener("delivery", (ev) => add(JSON.parse(ev.data)));
    es.addEventListener("dropped", (ev) => {
      state.dropped = JSON.parse(ev.data).dropped;
      renderNotice($("tbody").querySelectorAll("tr.row").length);
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        setConn("down", "disconnected");
        session();
      } else {
        setConn("down", "reconnecting…");
      }
    };
  }

  login(connect);

  $("copy-curl").addEventListener("click", () => {
    if (navigator.clipboard) navigator.clipboard.writeText($("empty-curl").textContent);
  });
  for (const id of ["f-command", "f-verdict", "f-group"]) $(id).addEventListener("change", renderRows);
  for (const id of ["f-room", "f-text"]) $(id).addEventListener("input", renderRows);

  // The empty state waits for the stream's hello: a locked console knows nothing of deliveries.
  $("empty").hidden = true;
  $("rows").hidden = true;
  session().then((ok) => { if (ok) connect(); });
})();
