// livehook console: what the receive and serve pages share. Every value that came from the
// wire goes into the page as text (textContent, option.text, input.value), never as HTML: the
// pages build their elements themselves.
"use strict";

window.livehook = (function () {
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) {
      if (c == null) continue;
      e.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }

  function shortCommand(c) {
    return c ? c.replace(/^Live\.Callback(After)?/, "") : "-";
  }

  function latency(ns) {
    const ms = ns / 1e6;
    if (ms < 1) return (ns / 1e3).toFixed(0) + "µs";
    if (ms < 1000) return ms.toFixed(ms < 10 ? 2 : 1) + "ms";
    return (ms / 1000).toFixed(2) + "s";
  }

  function timeOf(t) {
    const d = new Date(t);
    return isNaN(d) ? String(t) : d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
  }

  // pretty re-indents JSON without parsing it into numbers, so that every token keeps its exact
  // text (an Owner_Account beyond 2^53 stays as sent). Not JSON: returned as it is.
  function pretty(s) {
    try { JSON.parse(s); } catch (e) { return s; }
    let out = "", depth = 0, inStr = false, esc = false;
    const nl = () => "\n" + "  ".repeat(depth);
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (inStr) {
        out += ch;
        if (esc) esc = false;
        else if (ch === "\\") esc = true;
        else if (ch === "\"") inStr = false;
        continue;
      }
      switch (ch) {
        case "\"": inStr = true; out += ch; break;
        case "{": case "[": {
          // an empty object or array stays on its line
          let j = i + 1;
          while (j < s.length && " \t\r\n".includes(s[j])) j++;
          if (s[j] === (ch === "{" ? "}" : "]")) { out += ch + s[j]; i = j; break; }
          depth++; out += ch + nl(); break;
        }
        case "}": case "]": depth--; out += nl() + ch; break;
        case ",": out += "," + nl(); break;
        case ":": out += ": "; break;
        case " ": case "\t": case "\r": case "\n": break;
        default: out += ch;
      }
    }
    return out;
  }

  function kvTable(pairs) {
    const t = el("table", { class: "kv" });
    for (const [k, v] of pairs) t.append(el("tr", {}, el("td", { text: k }), el("td", { text: v })));
    return t;
  }

  function api(path, body) {
    return fetch(path, { method: "POST", headers: { "Content-Type": "application/json", "X-Livehook-Console": "1" }, body: JSON.stringify(body), credentials: "same-origin" });
  }

  function setConn(s, text) {
    $("conn").dataset.state = s;
    $("conn").textContent = text;
  }

  // session asks whether the console lets this browser in; when it wants the token, it shows
  // the login form, whose submit logs in and calls then.
  async function session() {
    const r = await fetch("/console/api/session", { credentials: "same-origin" }).catch(() => null);
    if (r && r.status === 401) {
      $("login").hidden = false;
      if ($("filters")) $("filters").hidden = true;
      setConn("down", "locked");
      $("login-token").focus();
      return false;
    }
    $("login").hidden = true;
    if ($("filters")) $("filters").hidden = false;
    return r != null;
  }

  function login(then) {
    $("login").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const r = await api("/console/api/login", { token: $("login-token").value });
      if (!r.ok) {
        const j = await r.json().catch(() => ({}));
        $("login-error").textContent = j.error || ("HTTP " + r.status);
        return;
      }
      $("login-token").value = "";
      $("login-error").textContent = "";
      if (await session()) then();
    });
  }

  return { $, el, shortCommand, latency, timeOf, pretty, kvTable, api, setConn, session, login };
})();
