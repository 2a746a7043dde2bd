// Ringway dashboard: polls api/state twice a second and draws it. Every value from the server or the user is put in
// the page with textContent or as an attribute, never parsed as HTML.
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  const keyStore = "ringway.apiKey";
  let admin = null, lookedUp = null, timer = 0;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function svg(tag, attrs) {
    const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  }

  const clock = iso => new Date(iso).toTimeString().slice(0, 8);

  // A stable colour per name (FNV-1a), so names that differ in one letter still look different.
  function color(name) {
    let h = 2166136261;
    for (const c of name) h = Math.imul(h ^ c.codePointAt(0), 16777619) >>> 0;
    h = Math.imul((h ^ (h >>> 15)) >>> 0, 2246822507) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    return "hsl(" + (h % 360) + ",60%,50%)";
  }

  function headers(json) {
    const h = {};
    const key = sessionStorage.getItem(keyStore);
    if (key) h["X-Api-Key"] = key;
    if (json) h["Content-Type"] = "application/json";
    return h;
  }

  async function get(path) {
    const response = await fetch(path, { headers: headers(false), cache: "no-store" });
    if (response.status === 401 || response.status === 403) throw { refused: true, status: response.status };
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  function showLogin(message) {
    $("main").hidden = true;
    $("login").hidden = false;
    $("login-message").textContent = message;
    $("status").textContent = "refused";
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const state = await get("api/state");
      $("login").hidden = true;
      $("main").hidden = false;
      render(state);
      $("status").textContent = "updated " + clock(state.time);
      if (lookedUp !== null) await lookUp(lookedUp);
    } catch (e) {
      if (e && e.refused) showLogin(sessionStorage.getItem(keyStore) ? "That key was refused (HTTP " + e.status + ")." : "This dashboard needs the admin API key.");
      else $("status").textContent = "not reachable: " + (e && e.message ? e.message : e);
    }
    timer = setTimeout(poll, 500);
  }

  function render(state) {
    admin = state.admin;
    $("algorithm").textContent = state.algorithm ? "(" + state.algorithm + ")" : "(no replica in the ring)";
    for (const e of document.querySelectorAll(".admin-only")) e.hidden = !admin.enabled;
    $("add-form").hidden = !admin.canAdd;
    $("read-only").hidden = admin.enabled;

    const rows = state.replicas.map(r => {
      const tr = el("tr");
      tr.dataset.name = r.name;
      const name = el("td");
      const swatch = el("span", null, "swatch");
      swatch.style.background = color(r.name);
      name.append(swatch, el("span", r.name));
      const stateCell = el("td");
      stateCell.append(el("span", r.state, "state s-" + r.state.replace(/ /g, "-")));
      tr.append(name, el("td", r.address), el("td", r.location ? r.location + " / " + r.providerId : r.providerId), stateCell,
        el("td", r.heartbeatMs === null ? "–" : r.heartbeatMs + " ms", "num"),
        el("td", r.requestsPerSecond, "num"), el("td", r.inFlight, "num"), el("td", r.errors, "num"),
        el("td", (r.share * 100).toFixed(1) + " %", "num"));
      const action = el("td", null, "admin-only");
      action.hidden = !admin.enabled;
      if (admin.enabled && r.state !== "draining") {
        const rm = el("button", "remove");
        rm.className = "rm";
        rm.addEventListener("click", () => change(admin.remove, "DELETE", { n: 1, hostnames: [r.name] }));
        action.append(rm);
      }
      tr.append(action);
      return tr;
    });
    $("replicas").replaceChildren(...rows);
    drawRing(state.replicas.filter(r => r.share > 0));
    $("events").replaceChildren(...state.events.slice().reverse().map(e => {
      const li = el("li");
      Object.assign(li.dataset, { replica: e.replica, kind: e.kind, reason: e.reason, at: e.at });
      li.append(el("time", clock(e.at), "muted"), " ", el("b", e.replica), " ", el("span", e.kind.toLowerCase()), " ", el("span", "(" + e.reason + ")", "muted"));
      return li;
    }));
  }

  function drawRing(replicas) {
    const parts = [];
    let angle = -Math.PI / 2;
    for (const r of replicas) {
      const sweep = r.share * 2 * Math.PI;
      const end = angle + sweep;
      const large = sweep > Math.PI ? 1 : 0;
      const p = (a, rad) => (rad * Math.cos(a)).toFixed(2) + " " + (rad * Math.sin(a)).toFixed(2);
      const d = sweep >= 2 * Math.PI - 1e-6
        ? "M 0 -100 A 100 100 0 1 1 0 100 A 100 100 0 1 1 0 -100 M 0 -60 A 60 60 0 1 0 0 60 A 60 60 0 1 0 0 -60 Z"
        : "M " + p(angle, 100) + " A 100 100 0 " + large + " 1 " + p(end, 100) + " L " + p(end, 60) + " A 60 60 0 " + large + " 0 " + p(angle, 60) + " Z";
      const path = svg("path", { d, fill: color(r.name), stroke: "#fff", "stroke-width": 1 });
      const title = svg("title", {});
      title.textContent = r.name + ": " + (r.share * 100).toFixed(1) + " %";
      path.append(title);
      parts.push(path);
      angle = end;
    }
    const label = svg("text", { x: 0, y: 5, "text-anchor": "middle", "font-size": 14 });
    label.textContent = replicas.length + " in ring";
    parts.push(label);
    $("ring").replaceChildren(...parts);
  }

  // The echo and the order are drawn together, and only for the key asked last: never one key's order under another.
  async function lookUp(key) {
    lookedUp = key;
    let items;
    try {
      const result = await get("api/key?key=" + encodeURIComponent(key));
      items = result.order.map(r => el("li", r.name));
      if (result.boundedLoads) items.push(el("li", "(bounded loads: the first choice may move under load)", "muted"));
    } catch (e) {
      items = [el("li", "lookup failed", "muted")];
    }
    if (key !== lookedUp) return;
    $("key-echo").textContent = "Key: " + key;
    $("key-order").replaceChildren(...items);
  }

  async function change(path, method, body) {
    $("admin-result").textContent = "…";
    try {
      const response = await fetch(path, { method, headers: headers(true), body: JSON.stringify(body) });
      const answer = await response.json();
      $("admin-result").textContent = typeof answer.message === "string" ? answer.message : "done: " + answer.message.replicas.join(", ");
    } catch (e) {
      $("admin-result").textContent = "failed: " + (e && e.message ? e.message : e);
    }
    poll();
  }

  $("login-form").addEventListener("submit", e => {
    e.preventDefault();
    sessionStorage.setItem(keyStore, $("api-key").value);
    poll();
  });
  $("key-form").addEventListener("submit", e => {
    e.preventDefault();
    if ($("key").value) lookUp($("key").value);
  });
  $("add-form").addEventListener("submit", e => {
    e.preventDefault();
    const names = $("add-names").value.split(",").map(s => s.trim()).filter(s => s);
    change(admin.add, "POST", { n: Math.max(Number($("add-n").value) || 1, names.length), hostnames: names });
  });
  poll();
})();
