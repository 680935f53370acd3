// dealsync review workspace: a small single-page app over the admin JSON API.
// No framework, no external assets. Data is only ever put into the page with
// textContent (never innerHTML), so CRM text cannot inject markup.
"use strict";

const state = { user: null, csrf: "", partners: [], conflicts: [], selected: new Set() };

// ---- helpers ---------------------------------------------------------------
function $(id) { return document.getElementById(id); }
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, "");
    else if (v !== false && v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return e;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
function words(s) { return String(s || "").replace(/_/g, " "); }
function when(iso) { return iso ? iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC") : "—"; }
// Sources that are no partner the user sees are the vendor's (its id is configurable).
function isPartner(source) { return state.partners.some((p) => p.id === source); }
function canSettle() { return state.user && (state.user.role === "resolver" || state.user.role === "admin"); }
function toast(text, kind) {
  const t = $("toast");
  t.textContent = text;
  t.className = "toast " + (kind || "ok");
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 6000);
}

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = state.csrf;
  const res = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const msg = data && data.error ? data.error.message : res.statusText;
    if (res.status === 401 && path !== "/api/v1/session") { showSignIn(); }
    throw new ApiError(res.status, msg);
  }
  return data;
}

// ---- sign in ---------------------------------------------------------------
function showOnly(view) {
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== "view-" + view;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.view === view || (view === "conflict" && a.dataset.view === "conflicts")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function showSignIn() {
  state.user = null;
  $("nav").hidden = true;
  $("who").hidden = true;
  showOnly("signin");
  $("signin-name").focus();
}

function signedIn(data) {
  state.user = data.user;
  state.csrf = data.csrf_token;
  $("nav").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = data.user.name;
  $("who-role").textContent = data.user.role + (data.user.partners.length ? " · " + data.user.partners.join(", ") : "");
  document.body.classList.toggle("read-only", !canSettle());
}

async function onSignIn(ev) {
  ev.preventDefault();
  $("signin-error").hidden = true;
  try {
    const data = await api("POST", "/api/v1/session", { name: $("signin-name").value, password: $("signin-password").value });
    $("signin-password").value = "";
    signedIn(data);
    await loadPartners();
    if (!location.hash || location.hash === "#/signin") location.hash = "#/conflicts";
    else route();
  } catch (e) {
    $("signin-error").textContent = e.message;
    $("signin-error").hidden = false;
  }
}

async function onSignOut() {
  try { await api("DELETE", "/api/v1/session"); } catch (e) { /* signed out anyway */ }
  showSignIn();
}

async function loadPartners() {
  const data = await api("GET", "/api/v1/partners");
  state.partners = data.partners;
  for (const id of ["f-partner", "l-partner"]) {
    const sel = $(id);
    const keep = id === "f-partner" ? sel.firstElementChild : null;
    clear(sel);
    if (keep) sel.appendChild(keep);
    for (const p of data.partners) sel.appendChild(el("option", { value: p.id, text: p.name || p.id }));
  }
  return data;
}

// ---- held conflicts --------------------------------------------------------
function filterQuery() {
  const q = new URLSearchParams({ status: "held_for_review" });
  const add = (k, v) => { if (v !== "") q.set(k, v); };
  add("partner", $("f-partner").value);
  add("field", $("f-field").value);
  add("min_age_days", $("f-age").value);
  add("min_value", $("f-value").value);
  add("q", $("f-q").value.trim());
  return q.toString();
}

async function loadConflicts() {
  showOnly("conflicts");
  const data = await api("GET", "/api/v1/conflicts?" + filterQuery());
  state.conflicts = data.conflicts;
  state.selected.clear();
  const body = $("conflict-table").tBodies[0];
  clear(body);
  for (const c of data.conflicts) {
    const box = el("input", { type: "checkbox", "aria-label": "Select " + c.deal_name + " " + words(c.field), "data-id": c.id,
      onchange: (e) => { if (e.target.checked) state.selected.add(c.id); else state.selected.delete(c.id); updateBulk(); } });
    const link = el("a", { href: "#/conflict/" + encodeURIComponent(c.id), text: c.deal_name || c.vendor_id });
    body.appendChild(el("tr", { "data-id": c.id },
      el("td", { class: "sel" }, canSettle() ? box : null),
      el("td", {}, link, el("div", { class: "meta", text: c.account })),
      el("td", { text: c.partner }),
      el("td", { text: words(c.field) }),
      el("td", { class: "mono", text: c.base_value || "—" }),
      el("td", { class: "mono", text: c.vendor.value || "(empty)" }),
      el("td", { class: "mono", text: c.partner_change.value || "(empty)" }),
      el("td", { class: "num", text: c.value_at_stake }),
      el("td", { class: "num", text: c.age_days + "d" })));
  }
  $("conflict-count").textContent = String(data.total);
  $("conflicts-empty").hidden = data.conflicts.length > 0;
  $("conflict-table").hidden = data.conflicts.length === 0;
  $("bulk").hidden = !canSettle() || data.conflicts.length === 0;
  $("select-all").checked = false;
  $("select-all").disabled = !canSettle();
  updateBulk();
}

function updateBulk() {
  const n = state.selected.size;
  $("bulk-count").textContent = n + " selected";
  $("bulk-settle").disabled = n === 0;
}

function openBulk() {
  $("bulk-n").textContent = String(state.selected.size);
  $("bulk-error").hidden = true;
  $("modal").hidden = false;
  $("b-reason").focus();
}

async function onBulk(ev) {
  ev.preventDefault();
  const take = document.querySelector("input[name=btake]:checked").value;
  const reason = $("b-reason").value.trim();
  const fail = (text) => { $("bulk-error").textContent = text; $("bulk-error").hidden = false; };
  if (!reason) { fail("Say why: the reason is kept in each conflict's history."); return; }
  const body = { ids: [...state.selected], take, reason };
  if (take === "value") {
    body.value = $("b-value").value.trim();
    if (!body.value) { fail("Type the value to keep."); return; }
    // One typed value fits one field: a date is no stage.
    const fields = new Set(state.conflicts.filter((c) => state.selected.has(c.id)).map((c) => c.field));
    if (fields.size > 1) { fail("A typed value fits one field; the selection mixes " + [...fields].map(words).join(" and ") + "."); return; }
  }
  try {
    const r = await api("POST", "/api/v1/conflicts/resolve", body);
    $("modal").hidden = true;
    $("b-reason").value = "";
    $("b-value").value = "";
    const failed = r.results.filter((x) => !x.ok);
    toast(r.settled + " conflict(s) settled; pushes queued." + (failed.length ? " " + failed.length + " failed: " + failed[0].error : ""), failed.length ? "warn" : "ok");
    await loadConflicts();
  } catch (e) {
    $("bulk-error").textContent = e.message;
    $("bulk-error").hidden = false;
  }
}

// ---- one conflict ----------------------------------------------------------
function changeMeta(ch) {
  const who = ch.modified_by ? " by " + ch.modified_by : "";
  return "changed " + when(ch.modified_at) + who + (ch.journal_seq ? " · journal #" + ch.journal_seq : "");
}

function fillRecord(dl, r) {
  clear(dl);
  if (!r) { dl.appendChild(el("dd", { text: "not found" })); return; }
  const rows = [["Id", r.native_id], ["Name", r.name], ["Account", r.account], ["Owner", r.owner],
    ["Stage", r.stage ? words(r.stage) + (r.native_stage ? " (" + r.native_stage + ")" : "") : "—"],
    ["Amount", r.amount || "—"], ["Close date", r.close_date || "—"], ["Registration", r.registration_id || "—"],
    ["Modified", when(r.modified_at)]];
  for (const [k, v] of rows) { dl.appendChild(el("dt", { text: k })); dl.appendChild(el("dd", { text: v || "—" })); }
}

async function loadConflict(id) {
  showOnly("conflict");
  // Until this conflict arrives nothing of the one shown before is on screen,
  // and nothing can be settled: a slow answer must not settle the wrong one.
  state.current = null;
  $("c-settle-card").hidden = true;
  $("c-settled").hidden = true;
  $("c-title").textContent = "Loading…";
  $("c-sub").textContent = "";
  const c = await api("GET", "/api/v1/conflicts/" + encodeURIComponent(id));
  state.current = c;
  $("c-title").textContent = (c.deal_name || c.vendor_id) + " — " + words(c.field);
  $("c-sub").textContent = c.account + " · partner " + c.partner + " · " + c.value_at_stake + " at stake · detected " + when(c.detected_at) + " (" + c.age_days + " days ago)";
  $("c-base").textContent = c.base_value || "(none)";
  $("c-vendor").textContent = c.vendor.value || "(empty)";
  $("c-vendor-meta").textContent = changeMeta(c.vendor);
  $("c-partner").textContent = c.partner_change.value || "(empty)";
  $("c-partner-meta").textContent = changeMeta(c.partner_change);
  $("c-explanation").textContent = c.explanation;
  $("c-rule").textContent = words(c.rule);
  $("c-flags").textContent = c.flags.length ? "· flags: " + c.flags.map(words).join(", ") : "";
  $("s-vendor").textContent = "“" + (c.vendor.value || "(empty)") + "”";
  $("s-partner").textContent = "“" + (c.partner_change.value || "(empty)") + "”";
  const held = c.status === "held_for_review";
  $("c-settle-card").hidden = !held || !canSettle();
  $("c-settled").hidden = held;
  if (!held) {
    $("c-settled-text").textContent = words(c.status) + ": " + (c.outcome_value || "") +
      (c.resolved_by ? " — by " + c.resolved_by : "") + (c.resolved_at ? " at " + when(c.resolved_at) : "") +
      (c.resolution_reason ? ". Reason: " + c.resolution_reason : "");
  }
  $("settle-error").hidden = true;
  const pushes = $("c-pushes").tBodies[0];
  clear(pushes);
  for (const p of c.pushes) {
    const values = Object.entries(p.values).map(([k, v]) => words(k) + " = " + v).join(", ");
    pushes.appendChild(el("tr", { class: "push-" + p.state },
      el("td", { text: p.target }), el("td", { class: "mono", text: p.native_id }), el("td", { text: values }),
      el("td", {}, el("span", { class: "pill " + p.state, text: words(p.state) })),
      el("td", { class: "num", text: String(p.attempts) }), el("td", { class: "error-text", text: p.last_error || "" })));
  }
  $("c-pushes-empty").hidden = c.pushes.length > 0;
  $("c-pushes").hidden = c.pushes.length === 0;
  fillRecord($("c-vendor-record"), c.vendor_record);
  fillRecord($("c-partner-record"), c.partner_record);
  const hist = $("c-history").tBodies[0];
  clear(hist);
  for (const h of c.history) {
    hist.appendChild(el("tr", {},
      el("td", { text: when(h.detected_at) }), el("td", { text: words(h.field) }),
      el("td", { text: (h.vendor_value || "(empty)") + " · " + when(h.vendor_changed_at) + (h.vendor_changed_by ? " by " + h.vendor_changed_by : "") }),
      el("td", { text: (h.partner_value || "(empty)") + " · " + when(h.partner_changed_at) + (h.partner_changed_by ? " by " + h.partner_changed_by : "") }),
      el("td", { text: words(h.status) + (h.outcome_value ? ": " + h.outcome_value : "") + " (" + words(h.rule) + ")" }),
      el("td", { text: (h.resolved_by ? h.resolved_by + (h.resolved_at ? ", " + when(h.resolved_at) : "") : "—") + (h.reason ? " — " + h.reason : "") })));
  }
  const acts = $("c-actions").tBodies[0];
  clear(acts);
  for (const a of c.actions || []) {
    acts.appendChild(el("tr", {}, el("td", { text: when(a.at) }), el("td", { text: a.by }),
      el("td", { text: words(a.action) }), el("td", { text: a.detail })));
  }
  $("c-actions-empty").hidden = (c.actions || []).length > 0;
  $("c-actions").hidden = (c.actions || []).length === 0;
}

async function onSettle(ev) {
  ev.preventDefault();
  if (!state.current) return;
  const take = document.querySelector("input[name=take]:checked").value;
  const reason = $("s-reason").value.trim();
  const err = $("settle-error");
  err.hidden = true;
  if (!reason) { err.textContent = "Say why: the reason is kept in the conflict's history."; err.hidden = false; return; }
  const body = { take, reason };
  if (take === "value") body.value = $("s-value").value.trim();
  try {
    await api("POST", "/api/v1/conflicts/" + encodeURIComponent(state.current.id) + "/resolve", body);
    $("s-reason").value = "";
    toast("Settled. The push is queued.", "ok");
    await loadConflict(state.current.id);
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  }
}

// ---- failed pushes ---------------------------------------------------------
function errorKey(text) {
  // Group by the error with record-specific ids and numbers blanked out.
  return String(text || "unknown error").replace(/\/[A-Za-z0-9_-]{3,}(?=[:\s/]|$)/g, "/…").replace(/\d+/g, "#").slice(0, 160);
}

async function loadDeadLetters() {
  showOnly("deadletters");
  const data = await api("GET", "/api/v1/deadletters");
  const root = $("dl-groups");
  clear(root);
  const byPartner = new Map();
  for (const d of data.dead_letters) {
    if (!byPartner.has(d.partner)) byPartner.set(d.partner, new Map());
    const groups = byPartner.get(d.partner);
    const key = errorKey(d.last_error);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(d);
  }
  for (const [partner, groups] of byPartner) {
    const card = el("div", { class: "card" }, el("h2", { text: "Partner " + partner }));
    for (const [, items] of groups) {
      card.appendChild(el("h3", { class: "error-text", text: items.length + " × " + items[0].last_error.split("\n")[0].slice(0, 200) }));
      if (canSettle() && items.length > 1) {
        const ids = items.map((d) => d.id);
        card.appendChild(el("p", { class: "group-actions" },
          el("button", { type: "button", class: "small", text: "Retry all " + items.length,
            onclick: () => deadLettersBulk("retry", ids) }), " ",
          el("button", { type: "button", class: "small", text: "Discard all " + items.length,
            onclick: () => deadLettersBulk("discard", ids) })));
      }
      const tbody = el("tbody");
      for (const d of items) {
        const values = Object.entries(d.values).map(([k, v]) => words(k) + " = " + v).join(", ");
        const actions = el("td", { class: "actions" });
        if (canSettle()) {
          actions.appendChild(el("button", { type: "button", class: "primary small", text: "Retry", "aria-label": "Retry push to " + d.target + " " + d.native_id,
            onclick: () => deadLetterAction("retry", d) }));
          actions.appendChild(el("button", { type: "button", class: "small", text: "Discard", "aria-label": "Discard push to " + d.target + " " + d.native_id,
            onclick: () => deadLetterAction("discard", d) }));
        }
        tbody.appendChild(el("tr", { "data-id": d.id, "data-native-id": d.native_id },
          el("td", { text: d.target }), el("td", { class: "mono", text: d.native_id }), el("td", { text: values }),
          el("td", { class: "num", text: String(d.attempts) }), el("td", { text: when(d.first_failed_at) }),
          el("td", {}, el("pre", { class: "error-full", text: d.last_error })), actions));
      }
      card.appendChild(el("table", { class: "grid compact" }, el("caption", { class: "sr-only", text: "Failed pushes" }),
        el("thead", {}, el("tr", {}, ...["To", "Record", "Values", "Attempts", "Failing since", "Full error"].map((h) => el("th", { scope: "col", text: h })),
          el("th", { scope: "col" }, el("span", { class: "sr-only", text: "Actions" })))), tbody));
    }
    root.appendChild(card);
  }
  $("dl-count").textContent = String(data.dead_letters.length);
  $("dl-empty").hidden = data.dead_letters.length > 0;
  await loadRejects();
}

async function loadRejects() {
  const data = await api("GET", "/api/v1/rejects");
  const root = $("rj-groups");
  clear(root);
  const byPartner = new Map();
  for (const r of data.rejected) {
    if (!byPartner.has(r.source)) byPartner.set(r.source, new Map());
    const groups = byPartner.get(r.source);
    const key = errorKey(r.message);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(r);
  }
  for (const [source, groups] of byPartner) {
    const card = el("div", { class: "card" }, el("h3", { text: (isPartner(source) ? "Partner " + source : "Vendor (" + source + ")") }));
    for (const [, items] of groups) {
      card.appendChild(el("h4", { class: "error-text", text: items.length + " × " + items[0].message.split("\n")[0].slice(0, 200) }));
      if (canSettle() && items.length > 1) {
        card.appendChild(el("p", { class: "group-actions" },
          el("button", { type: "button", class: "small", text: "Read all " + items.length + " again",
            onclick: () => reread(items.map((r) => r.id)) })));
      }
      const tbody = el("tbody");
      for (const r of items) {
        const actions = el("td", { class: "actions" });
        if (canSettle()) {
          actions.appendChild(el("button", { type: "button", class: "primary small", text: "Read again", "aria-label": "Read again: " + r.id,
            onclick: () => reread([r.id]) }));
        }
        tbody.appendChild(el("tr", { "data-id": r.id },
          el("td", { class: "mono", text: r.native_id }), el("td", { text: when(r.modified_at) }), el("td", { text: when(r.rejected_at) }),
          el("td", {}, el("pre", { class: "error-full", text: r.message })), actions));
      }
      card.appendChild(el("table", { class: "grid compact" }, el("caption", { class: "sr-only", text: "Refused records" }),
        el("thead", {}, el("tr", {}, ...["Record", "Modified", "Refused at", "Full error"].map((h) => el("th", { scope: "col", text: h })),
          el("th", { scope: "col" }, el("span", { class: "sr-only", text: "Actions" })))), tbody));
    }
    root.appendChild(card);
  }
  $("rj-count").textContent = String(data.rejected.length);
  $("rj-empty").hidden = data.rejected.length > 0;
}

async function reread(ids) {
  try {
    const r = await api("POST", "/api/v1/rejects/reread", { ids });
    const failed = r.results.filter((x) => !x.ok);
    toast(r.requested + " record(s) are being read again; a readable version leaves this list." +
      (failed.length ? " " + failed.length + " failed: " + failed[0].error : ""), failed.length ? "warn" : "ok");
    // The read runs in the daemon; show its outcome once it had a moment.
    setTimeout(() => { if (location.hash === "#/deadletters") loadRejects().catch((e) => toast(e.message, "warn")); }, 1500);
  } catch (e) {
    toast(e.message, "warn");
  }
}

async function deadLetterAction(action, d) {
  const path = "/api/v1/deadletters/" + encodeURIComponent(d.target) + "/" + encodeURIComponent(d.native_id);
  try {
    if (action === "retry") await api("POST", path + "/retry");
    else await api("DELETE", path);
    toast(action === "retry" ? "Push to " + d.target + " " + d.native_id + " queued again." : "Push to " + d.target + " " + d.native_id + " discarded.", "ok");
    await loadDeadLetters();
  } catch (e) {
    toast(e.message, "warn");
  }
}

async function deadLettersBulk(action, ids) {
  try {
    const r = await api("POST", "/api/v1/deadletters/" + action, { ids });
    const done = action === "retry" ? r.retried : r.discarded;
    const failed = r.results.filter((x) => !x.ok);
    toast(done + " push(es) " + (action === "retry" ? "queued again" : "discarded") +
      (failed.length ? "; " + failed.length + " failed: " + failed[0].error : "."), failed.length ? "warn" : "ok");
    await loadDeadLetters();
  } catch (e) {
    toast(e.message, "warn");
  }
}

// ---- unmatched deals -------------------------------------------------------
async function loadUnmatched() {
  showOnly("unmatched");
  const [unlinked, amb, links] = await Promise.all([
    api("GET", "/api/v1/unlinked"), api("GET", "/api/v1/ambiguities"), api("GET", "/api/v1/links")]);
  const vb = $("u-vendor").tBodies[0]; clear(vb);
  const pb = $("u-partner").tBodies[0]; clear(pb);
  for (const r of unlinked.records) {
    if (!isPartner(r.source)) {
      vb.appendChild(el("tr", {}, el("td", { class: "mono", text: r.native_id }), el("td", { text: r.name }), el("td", { text: r.account }),
        el("td", { class: "num", text: r.amount || "—" }), el("td", { text: r.close_date || "—" })));
    } else {
      pb.appendChild(el("tr", {}, el("td", { text: r.source }), el("td", { class: "mono", text: r.native_id }), el("td", { text: r.name }),
        el("td", { text: r.account }), el("td", { class: "num", text: r.amount || "—" })));
    }
  }
  const ab = $("u-ambiguous").tBodies[0]; clear(ab);
  for (const a of amb.ambiguities) {
    for (const candidate of a.candidates) {
      const slash = candidate.indexOf("/");
      const other = { source: candidate.slice(0, slash), id: candidate.slice(slash + 1) };
      // One side is the vendor's record, the other a partner's.
      const pair = !isPartner(a.source)
        ? { partner: other.source, vendor_id: a.native_id, partner_id: other.id }
        : { partner: a.source, vendor_id: other.id, partner_id: a.native_id };
      const actions = el("td", { class: "actions" });
      if (canSettle()) {
        actions.appendChild(el("button", { type: "button", class: "primary small", text: "Link",
          "aria-label": "Link " + a.source + "/" + a.native_id + " with " + candidate,
          onclick: () => ambiguityAction("link", pair) }));
        actions.appendChild(el("button", { type: "button", class: "small", text: "Not the same deal",
          "aria-label": "Not the same deal: " + a.source + "/" + a.native_id + " and " + candidate,
          onclick: () => ambiguityAction("not-same", pair) }));
      }
      ab.appendChild(el("tr", { "data-record": a.source + "/" + a.native_id, "data-candidate": candidate },
        el("td", { class: "mono", text: a.source + "/" + a.native_id }),
        el("td", { text: words(a.key_kind) + " " + a.key_value }), el("td", { class: "mono", text: candidate }), actions));
    }
  }
  $("u-ambiguous-empty").hidden = amb.ambiguities.length > 0;
  $("u-ambiguous").hidden = amb.ambiguities.length === 0;
  const lb = $("u-links").tBodies[0]; clear(lb);
  for (const l of links.links) {
    const action = el("td", {});
    if (canSettle()) {
      action.appendChild(el("button", { type: "button", class: "small", text: "Not the same deal", "aria-label": "Not the same deal: " + l.id,
        onclick: async () => {
          try { await api("DELETE", "/api/v1/links/" + encodeURIComponent(l.id)); toast("Link removed; it will not be made again automatically.", "ok"); await loadUnmatched(); }
          catch (e) { toast(e.message, "warn"); }
        } }));
    }
    lb.appendChild(el("tr", {}, el("td", { text: l.partner }), el("td", { class: "mono", text: l.vendor_id }), el("td", { class: "mono", text: l.partner_id }),
      el("td", { text: l.key_kind === "operator" ? "by hand (" + l.key_value + ")" : words(l.key_kind) }), action));
  }
  $("link-submit").disabled = !canSettle();
}

async function ambiguityAction(action, pair) {
  try {
    if (action === "link") {
      await api("POST", "/api/v1/links", pair);
      toast("Linked " + pair.vendor_id + " and " + pair.partner_id + ". Both records are reconciled now.", "ok");
    } else {
      await api("POST", "/api/v1/links/not-same-deal", pair);
      toast(pair.vendor_id + " and " + pair.partner_id + " are marked as different deals; they are never linked automatically.", "ok");
    }
    await loadUnmatched();
  } catch (e) { toast(e.message, "warn"); }
}

async function onLink(ev) {
  ev.preventDefault();
  try {
    await api("POST", "/api/v1/links", { partner: $("l-partner").value, vendor_id: $("l-vendor").value.trim(), partner_id: $("l-partner-id").value.trim() });
    toast("Linked. Both records are reconciled on the next cycle.", "ok");
    $("l-vendor").value = ""; $("l-partner-id").value = "";
    await loadUnmatched();
  } catch (e) { toast(e.message, "warn"); }
}

// ---- partners --------------------------------------------------------------
async function loadPartnersView() {
  showOnly("partners");
  const data = await loadPartners();
  const root = $("partner-cards");
  clear(root);
  for (const p of data.partners) {
    const failing = !!p.last_error;
    const dl = el("dl", { class: "kv" });
    const rows = [["Connector", p.connector], ["Last successful poll", when(p.last_successful_poll)],
      ["Lag", p.lag_seconds === "" || p.lag_seconds === undefined ? "—" : Math.round(p.lag_seconds / 60) + " min"],
      ["Last successful push", when(p.last_successful_push)],
      ["Error rate", p.api_calls ? p.error_rate_percent.toFixed(1) + "% of " + p.api_calls + " calls" : "no calls yet"],
      ["API budget", (p.api_budget || "—") + (p.rate_limit_waits ? " · waited " + p.rate_limit_waits + "×" : "")],
      ["API quota used", p.api_quota_limit ? p.api_quota_used.toLocaleString() + " of " + p.api_quota_limit.toLocaleString() + " (" + Math.round(100 * p.api_quota_used / p.api_quota_limit) + "%, as the CRM reports)" : "not reported by the CRM"],
      ["Held conflicts", String(p.held_conflicts)], ["Queued pushes", String(p.queued_pushes)],
      ["Failed pushes", String(p.dead_letters)], ["Refused records", String(p.rejected_records || 0)],
      ["Linked deals", String(p.links)]];
    for (const [k, v] of rows) { dl.appendChild(el("dt", { text: k })); dl.appendChild(el("dd", { text: v })); }
    const base = "/api/v1/reports/" + encodeURIComponent(p.id) + "?format=";
    root.appendChild(el("div", { class: "card partner" },
      el("h2", {}, p.name || p.id, " ", el("span", { class: "pill " + (failing ? "dead_letter" : p.running ? "ok" : "idle"), text: p.failed ? "failed, not syncing" : failing ? "failing" : p.running ? "healthy" : "not running" })),
      failing ? el("p", { class: "error-text", text: p.last_error }) : null, dl,
      el("p", { class: "downloads" }, "Reports: ",
        el("a", { href: base + "html", download: "", text: "HTML" }), " · ",
        el("a", { href: base + "csv&bom=1", download: "", text: "Conflicts CSV" }), " · ",
        el("a", { href: base + "pipeline-csv&bom=1", download: "", text: "Pipeline CSV" }), " · ",
        el("a", { href: base + "json", download: "", text: "JSON" })),
      pipelineSection(p)));
  }
}

// The joint pipeline review of one partner, loaded when asked for (it reads
// every deal of the partner).
function pipelineSection(p) {
  const box = el("div", { class: "pipeline", id: "pipeline-" + p.id, hidden: true });
  const button = el("button", { type: "button", class: "small", "aria-expanded": "false",
    "aria-controls": "pipeline-" + p.id, text: "Joint pipeline review" });
  button.addEventListener("click", async () => {
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", String(!open));
    box.hidden = open;
    if (!open && !box.firstChild) {
      try { renderPipeline(box, await api("GET", "/api/v1/reports/" + encodeURIComponent(p.id) + "?format=json")); }
      catch (e) { box.appendChild(el("p", { class: "error-text", text: e.message })); }
    }
  });
  return el("div", {}, button, box);
}

function money(m) { return m ? m.amount + " " + m.currency : "—"; }

function renderPipeline(box, report) {
  const r = (report.partners || [])[0];
  if (!r) { box.appendChild(el("p", { text: "No linked deals with this partner yet." })); return; }
  const v = r.vendor_view, q = r.partner_view;
  const rows = [["Open deals", v.open_deals, q.open_deals], ["Pipeline", money(v.pipeline), money(q.pipeline)],
    ["Weighted forecast", money(v.weighted_forecast), money(q.weighted_forecast)],
    ["Won deals", v.won_deals + " (" + money(v.won_value) + ")", q.won_deals + " (" + money(q.won_value) + ")"],
    ["Win rate", v.win_rate_percent === null ? "—" : v.win_rate_percent + "%", q.win_rate_percent === null ? "—" : q.win_rate_percent + "%"]];
  for (const [stage, n] of Object.entries(v.deals_in_stage)) rows.push(["In stage " + words(stage), n, q.deals_in_stage[stage]]);
  const body = el("tbody");
  for (const [k, a, b] of rows) body.appendChild(el("tr", {}, el("th", { scope: "row", text: k }), el("td", { class: "num", text: String(a) }), el("td", { class: "num", text: String(b) })));
  box.appendChild(el("table", { class: "grid compact" }, el("caption", { text: "Joint pipeline review: " + r.linked_deals + " linked deals, pipeline difference " + money(r.pipeline_difference) }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Measure" }), el("th", { scope: "col", class: "num", text: "Vendor's view" }), el("th", { scope: "col", class: "num", text: "Partner's view" }))), body));
  const lists = [["Stalled (no stage change in " + report.stalled_after_days + " days)", r.stalled], ["Stage moves", r.stage_moves],
    ["Close dates slipped", r.slipped], ["Only the partner has", r.only_partner]];
  for (const [title, deals] of lists) {
    box.appendChild(el("h4", { text: title + ": " + deals.length }));
    if (deals.length) {
      const ul = el("ul", { class: "deals" });
      for (const d of deals.slice(0, 20)) ul.appendChild(el("li", { text: (d.name || d.id) + (d.account ? " · " + d.account : "") + (d.detail ? " — " + d.detail : "") }));
      if (deals.length > 20) ul.appendChild(el("li", { text: "… and " + (deals.length - 20) + " more in the downloads" }));
      box.appendChild(ul);
    }
  }
}

// ---- routing ---------------------------------------------------------------
async function route() {
  if (!state.user) { showSignIn(); return; }
  const hash = location.hash || "#/conflicts";
  try {
    if (hash.startsWith("#/conflict/")) await loadConflict(decodeURIComponent(hash.slice("#/conflict/".length)));
    else if (hash === "#/deadletters") await loadDeadLetters();
    else if (hash === "#/unmatched") await loadUnmatched();
    else if (hash === "#/partners") await loadPartnersView();
    else await loadConflicts();
  } catch (e) {
    if (e.status !== 401) toast(e.message, "warn");
  }
}

async function start() {
  $("signin-form").addEventListener("submit", onSignIn);
  $("sign-out").addEventListener("click", onSignOut);
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); loadConflicts().catch((x) => toast(x.message, "warn")); });
  $("f-clear").addEventListener("click", () => { $("filters").reset(); loadConflicts().catch((x) => toast(x.message, "warn")); });
  $("f-partner").addEventListener("change", () => loadConflicts().catch((x) => toast(x.message, "warn")));
  $("f-field").addEventListener("change", () => loadConflicts().catch((x) => toast(x.message, "warn")));
  $("select-all").addEventListener("change", (e) => {
    for (const box of document.querySelectorAll("#conflict-table tbody input[type=checkbox]")) {
      box.checked = e.target.checked;
      if (box.checked) state.selected.add(box.dataset.id); else state.selected.delete(box.dataset.id);
    }
    updateBulk();
  });
  $("bulk-settle").addEventListener("click", openBulk);
  $("bulk-cancel").addEventListener("click", () => { $("modal").hidden = true; });
  $("bulk-form").addEventListener("submit", onBulk);
  for (const r of document.querySelectorAll("input[name=btake]")) {
    r.addEventListener("change", () => { $("b-value").disabled = document.querySelector("input[name=btake]:checked").value !== "value"; });
  }
  $("settle-form").addEventListener("submit", onSettle);
  for (const r of document.querySelectorAll("input[name=take]")) {
    r.addEventListener("change", () => { $("s-value").disabled = document.querySelector("input[name=take]:checked").value !== "value"; });
  }
  $("link-form").addEventListener("submit", onLink);
  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("modal").hidden = true; });
  try {
    const session = await api("GET", "/api/v1/session");
    if (!session.user) { showSignIn(); return; }
    signedIn(session);
    await loadPartners();
    await route();
  } catch (e) {
    showSignIn();
  }
}

document.addEventListener("DOMContentLoaded", start);
