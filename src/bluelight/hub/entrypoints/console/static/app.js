// bluelight control-room console: session, routing, live stream, alarms.
//
// Views live in views/*.js; each mount(container, ctx, params) returns
// {update(what, detail), tick(now), onKey(ev), focusTarget(), unmount()}.

import { Api, setCsrf, setUnauthorizedHandler } from "./api.js";
import { h, fmtWaited, nowS, isTyping, typeLabel, PRIORITY_LABELS, STATE_LABELS, clear, replaceChildren } from "./dom.js";
import { Stream } from "./stream.js";
import { state, notify, subscribe, agencyName, agencyPhone, isPending, resetState } from "./store.js";
import { beepArrival, beepAlarm, unlockSound, soundReady, onSoundState } from "./sound.js";
import { mountSignIn } from "./views/signin.js";
import { mountQueue } from "./views/queue.js";
import { mountOutgoing } from "./views/outgoing.js";
import { mountSend, resetSendDraft } from "./views/send.js";
import { mountIncident } from "./views/incident.js";
import { mountDashboard } from "./views/dashboard.js";
import { mountAgreements } from "./views/agreements.js";
import { resetAgreements } from "./sharing.js";

const $ = (sel) => document.querySelector(sel);
const main = $("#main");
const header = $("#app-header");
const bannerSlot = $("#overdue-slot");
const toasts = $("#toasts");
const announcer = $("#announcer");
const shortcuts = $("#shortcuts");

const ROUTES = {
  queue: { mount: mountQueue, title: "Incoming", nav: "queue" },
  outgoing: { mount: mountOutgoing, title: "Outgoing", nav: "outgoing" },
  send: { mount: mountSend, title: "Send an incident", nav: "send" },
  dashboard: { mount: mountDashboard, title: "Dashboard", nav: "dashboard" },
  agreements: { mount: mountAgreements, title: "Agreements", nav: "agreements" },
  transfer: { mount: mountIncident, title: "Incident", nav: null },
};

let current = null; // the mounted view
let currentRoute = null;
let stream = null;
let tickTimer = null;
let pollTimer = null;
let alarmTimer = null;

// ====================================================================== helpers

function announce(text) {
  announcer.textContent = "";
  // A fresh text node after a tick makes screen readers speak it even if repeated.
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

function toast(text, { kind = "info", href = null, timeout = 8000 } = {}) {
  const close = h("button.toast-close", { type: "button", "aria-label": "Dismiss notification" }, "\u00d7");
  const el = h(
    `div.toast.toast-${kind}`,
    { "data-testid": "toast" },
    href ? h("a", { href }, text) : h("span", text),
    close,
  );
  close.addEventListener("click", () => el.remove());
  toasts.prepend(el);
  while (toasts.children.length > 3) toasts.lastChild.remove();
  if (timeout) setTimeout(() => el.remove(), timeout);
}

// ====================================================================== lists

let refreshing = false;
let refreshAgain = false;
let refreshTimer = null;

function sortNewest(list, key = "stored_at") {
  return [...list].sort((a, b) => (b[key] || 0) - (a[key] || 0));
}

async function refreshLists() {
  if (!state.session) return;
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    const [stored, delivered, received, sent] = await Promise.all([
      Api.transfers("received", { state: "stored", limit: 1000 }),
      Api.transfers("received", { state: "delivered", limit: 1000 }),
      Api.transfers("received", { limit: 100 }),
      Api.transfers("sent", { limit: 200 }),
    ]);
    if (!state.session) return;
    const pending = new Map();
    for (const t of [...stored, ...delivered]) pending.set(t.transfer_id, t);
    state.pending = sortNewest([...pending.values()]);
    state.received = sortNewest(received);
    state.sent = sortNewest(sent, "submitted_at");
    state.loaded = true;
    reconcileAlarms();
    updateCounts();
    notify("transfers");
  } catch (err) {
    if (err.status !== 401) console.warn("refreshing the lists failed:", err.text);
  } finally {
    refreshing = false;
    if (refreshAgain) {
      refreshAgain = false;
      scheduleRefresh(0);
    }
  }
}

function scheduleRefresh(delay = 120) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshLists, delay);
}

// Incident details for list rows, fetched once per incident (the lists carry none).
const incidentQueue = [];
const incidentInflight = new Set();
let incidentActive = 0;
let incidentNotify = null;

function ensureIncident(t) {
  if (!t || state.incidents.has(t.incident_id) || incidentInflight.has(t.incident_id)) return;
  incidentInflight.add(t.incident_id);
  incidentQueue.push(t);
  pumpIncidents();
}

function pumpIncidents() {
  while (incidentActive < 4 && incidentQueue.length) {
    const t = incidentQueue.shift();
    incidentActive += 1;
    Api.transfer(t.transfer_id)
      .then((v) => {
        if (v && v.incident) state.incidents.set(v.incident_id, v.incident);
      })
      .catch(() => {})
      .finally(() => {
        incidentActive -= 1;
        incidentInflight.delete(t.incident_id);
        if (!incidentNotify) {
          incidentNotify = requestAnimationFrame(() => {
            incidentNotify = null;
            notify("incidents");
          });
        }
        pumpIncidents();
      });
  }
}

function upsert(list, t) {
  const i = list.findIndex((x) => x.transfer_id === t.transfer_id);
  if (i >= 0) list[i] = { ...list[i], ...t };
  else list.unshift(t);
}

async function decide(t, decision, reason) {
  try {
    const v = await Api.decide(t.transfer_id, decision, reason);
    const { incident, ...transfer } = v || {};
    if (incident) state.incidents.set(transfer.incident_id, incident);
    state.pending = state.pending.filter((x) => x.transfer_id !== t.transfer_id);
    upsert(state.received, { ...t, ...transfer, state: transfer.state || decision });
    updateCounts();
    notify("transfers");
    const verb = decision === "accepted" ? "Accepted" : "Rejected";
    announce(`${verb} ${t.reference} from ${agencyName(t.sender)}.`);
    toast(`${verb} ${t.reference} from ${agencyName(t.sender)}.`, { kind: decision === "accepted" ? "ok" : "info" });
    scheduleRefresh();
    return true;
  } catch (err) {
    if (err.status === 422 && err.errors.length) return { errors: err.errors };
    const what = decision === "accepted" ? "accept" : "reject";
    toast(`Could not ${what} ${t.reference}: ${err.problem.detail || err.text}`, { kind: "error", timeout: 12000 });
    announce(`Could not ${what} ${t.reference}.`);
    scheduleRefresh(0);
    return false;
  }
}

async function afterSend(receipt) {
  state.lastReceipt = receipt;
  announce(`Sent ${receipt.reference}. Stored by the hub for ${receipt.transfers?.length || 0} partners.`);
  await refreshLists();
  if (location.hash === "#/outgoing") current?.update?.("receipt");
  else location.hash = "#/outgoing";
}

// ====================================================================== alarms

const DISMISSED_KEY = "bluelight.dismissedAlarms";

function dismissed() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) || "[]"));
  } catch {
    return new Set();
  }
}

function saveDismissed(set) {
  try {
    sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...set].slice(-500)));
  } catch {
    /* private mode */
  }
}

function alarmStillValid(alarm) {
  const t = state.sent.find((x) => x.transfer_id === alarm.transfer_id);
  if (!t) return true; // not in the loaded list: keep it until dismissed
  if (alarm.stage === "acknowledgement") return t.state === "stored";
  return isPending(t);
}

function addAlarm(alarm, { sound = true } = {}) {
  if (dismissed().has(alarm.key) || state.alarms.has(alarm.key)) return;
  if (!alarmStillValid(alarm)) return;
  state.alarms.set(alarm.key, { ...alarm, beeped: false });
  if (sound) {
    state.alarms.get(alarm.key).beeped = true;
    beepAlarm();
  }
  renderBanner();
  updateCounts();
}

/** Drop alarms whose transfer moved on; raise any the lists show but we have not. */
function reconcileAlarms() {
  let changed = false;
  for (const [key, alarm] of state.alarms) {
    if (!alarmStillValid(alarm)) {
      state.alarms.delete(key);
      changed = true;
    }
  }
  const gone = dismissed();
  for (const t of state.sent) {
    const stages = [];
    if (t.state === "stored" && t.ack_overdue_at) stages.push(["acknowledgement", t.ack_overdue_at]);
    if (isPending(t) && t.decision_overdue_at) stages.push(["decision", t.decision_overdue_at]);
    for (const [stage, at] of stages) {
      const key = `${t.transfer_id}:${stage}`;
      if (state.alarms.has(key) || gone.has(key)) continue;
      state.alarms.set(key, {
        key,
        transfer_id: t.transfer_id,
        stage,
        recipient: t.recipient,
        recipient_name: agencyName(t.recipient),
        phone: agencyPhone(t.recipient) || "the partner's control room",
        reference: t.reference,
        waited_s: stage === "acknowledgement" ? at - t.stored_at : at - (t.delivered_at || t.stored_at),
        at,
        beeped: false,
      });
      changed = true;
    }
  }
  let beep = false;
  for (const alarm of state.alarms.values()) {
    if (!alarm.beeped) {
      alarm.beeped = true;
      beep = true;
    }
  }
  if (beep) beepAlarm();
  if (changed) {
    renderBanner();
    updateCounts();
  }
}

function dismissAlarm(key) {
  const set = dismissed();
  set.add(key);
  saveDismissed(set);
  const alarm = state.alarms.get(key);
  state.alarms.delete(key);
  renderBanner();
  updateCounts();
  if (alarm) announce(`Noted: you phoned ${alarm.recipient_name}.`);
}

function alarmSentence(a) {
  const what = a.stage === "acknowledgement" ? "acknowledged" : "accepted or rejected";
  const waited = typeof a.waited_s === "number" ? ` after ${Math.round(a.waited_s)} s` : "";
  return `${a.recipient_name} has not ${what} your transfer ${a.reference}${waited}.`;
}

let bannerKey = "";

function renderBanner() {
  const alarms = [...state.alarms.values()].sort((a, b) => (a.at || 0) - (b.at || 0));
  const key = alarms.map((a) => a.key).join(",");
  if (key === bannerKey) return; // unchanged: do not make the alert speak again
  bannerKey = key;
  if (!alarms.length) {
    clear(bannerSlot);
    document.body.classList.remove("has-alarm");
    syncBannerSpace();
    return;
  }
  const [first, ...rest] = alarms;
  const phoneHref = (p) => `tel:${String(p).replace(/[^0-9+]/g, "")}`;
  replaceChildren(bannerSlot, 
    h(
      "div.overdue-banner",
      { role: "alert", "aria-live": "assertive", "data-testid": "overdue-banner", "data-transfer-id": first.transfer_id },
      h(
        "div.ob-main",
        h("span.ob-icon", { "aria-hidden": "true" }, "\u260E"),
        h(
          "div.ob-text",
          h("p.ob-line", h("strong.ob-title", "PHONE THEM NOW: "), alarmSentence(first)),
          h(
            "p.ob-call",
            "Call ",
            h("a.ob-phone", { href: phoneHref(first.phone), "data-testid": "overdue-phone" }, first.phone),
            h("span.ob-who", ` ${first.recipient_name} control room`),
          ),
        ),
        h(
          "div.ob-actions",
          h(
            "button.btn.ob-dismiss",
            { type: "button", "data-testid": "overdue-dismiss", onclick: () => dismissAlarm(first.key) },
            "I have phoned them",
          ),
          h("a.ob-open", { href: `#/transfer/${encodeURIComponent(first.transfer_id)}` }, "Open transfer"),
        ),
      ),
      rest.length
        ? h(
            "ul.ob-more",
            { "aria-label": "Also overdue" },
            rest.slice(0, 2).map((a) =>
              h(
                "li",
                { "data-testid": "overdue-other" },
                h("strong", "Also: "),
                alarmSentence(a),
                " Call ",
                h("a.ob-phone-small", { href: phoneHref(a.phone) }, a.phone),
                " ",
                h("button.btn.btn-small.ob-dismiss", { type: "button", onclick: () => dismissAlarm(a.key) }, "I have phoned them"),
              ),
            ),
            rest.length > 2
              ? h("li", `and ${rest.length - 2} more overdue: `, h("a", { href: "#/outgoing" }, "see Outgoing"))
              : null,
          )
        : null,
    ),
  );
  document.body.classList.add("has-alarm");
  syncBannerSpace();
}

function syncBannerSpace() {
  requestAnimationFrame(() => {
    const b = bannerSlot.firstElementChild;
    document.documentElement.style.setProperty("--banner-h", `${b ? b.offsetHeight : 0}px`);
  });
}

// ====================================================================== stream

function onEntries(entries, { catchingUp }) {
  const arrivals = [];
  for (const e of entries) {
    const b = e.body || {};
    const ref = b.reference || b.incident?.reference || "";
    switch (e.kind) {
      case "incident.new": {
        if (b.incident) state.incidents.set(e.incident_id, b.incident);
        const known = state.received.find((x) => x.transfer_id === e.transfer_id);
        const stillOpen = !known || isPending(known);
        if (stillOpen && !state.pending.some((x) => x.transfer_id === e.transfer_id)) {
          state.pending.unshift({
            transfer_id: e.transfer_id,
            incident_id: e.incident_id,
            reference: ref,
            sender: b.sender,
            recipient: state.session.agency,
            state: "stored",
            incident_status: "open",
            submitted_at: e.at,
            stored_at: e.at,
            flags: b.flags || [],
            agreement: b.agreement,
            withheld: b.withheld || [],
          });
        }
        if (stillOpen) {
          state.arrivals.set(e.transfer_id, nowS());
          arrivals.push(e);
        }
        break;
      }
      case "incident.update":
        if (b.incident) state.incidents.set(e.incident_id, b.incident);
        if (!catchingUp) {
          toast(`Update from ${agencyName(b.sender)} on ${ref}: ${b.update?.text || ""}`, {
            href: `#/transfer/${encodeURIComponent(e.transfer_id)}`,
          });
        }
        break;
      case "incident.closed":
        if (!catchingUp) {
          toast(`${ref} closed by ${agencyName(b.sender)}: ${b.outcome || ""}`, { href: `#/transfer/${encodeURIComponent(e.transfer_id)}` });
        }
        break;
      case "incident.cancelled":
        state.pending = state.pending.filter((x) => x.transfer_id !== e.transfer_id);
        if (!catchingUp) {
          toast(`${ref} withdrawn by ${agencyName(b.sender)} (sent in error): ${b.reason || ""}`, {
            href: `#/transfer/${encodeURIComponent(e.transfer_id)}`,
          });
          announce(`${ref} was withdrawn by ${agencyName(b.sender)}.`);
        }
        break;
      case "transfer.status": {
        const t = state.sent.find((x) => x.transfer_id === e.transfer_id);
        if (t) {
          t.state = b.state;
          if (b.reason) t.reason = b.reason;
          if (b.by) t.decided_by = b.by;
          if (b.state === "delivered" && !t.delivered_at) t.delivered_at = e.at;
          if ((b.state === "accepted" || b.state === "rejected") && !t.decided_at) t.decided_at = e.at;
        }
        if (!catchingUp && (b.state === "accepted" || b.state === "rejected")) {
          const text = `${agencyName(b.recipient)} ${STATE_LABELS[b.state].toLowerCase()} ${ref}${b.by ? ` (${b.by})` : ""}${b.reason ? `: \u201c${b.reason}\u201d` : ""}`;
          toast(text, { kind: b.state === "accepted" ? "ok" : "info", href: `#/transfer/${encodeURIComponent(e.transfer_id)}` });
          announce(text);
        }
        reconcileAlarms();
        break;
      }
      case "transfer.overdue":
        addAlarm(
          {
            key: `${e.transfer_id}:${b.stage}`,
            transfer_id: e.transfer_id,
            stage: b.stage,
            recipient: b.recipient,
            recipient_name: b.recipient_name || agencyName(b.recipient),
            phone: b.phone || agencyPhone(b.recipient) || "the partner's control room",
            reference: ref,
            waited_s: b.waited_s,
            at: e.at,
          },
          { sound: !catchingUp },
        );
        break;
      default:
        break;
    }
    notify("entry", e);
  }
  updateCounts();
  notify("transfers");
  if (arrivals.length) {
    beepArrival();
    const e = arrivals[arrivals.length - 1];
    const inc = e.body?.incident || {};
    const text =
      arrivals.length === 1
        ? `New incident from ${agencyName(e.body?.sender)}: ${typeLabel(inc.type)}, ${PRIORITY_LABELS[inc.priority] || ""}. ${inc.summary || ""}`
        : `${arrivals.length} new incidents from partner agencies.`;
    announce(text);
    if (currentRoute !== "queue") toast(text, { kind: "new", href: "#/queue" });
  }
  scheduleRefresh(catchingUp ? 50 : 120);
}

function setConnection(st) {
  state.connection = st;
  const el = $("#conn");
  if (!el) return;
  const labels = {
    live: "Live",
    connecting: "Connecting\u2026",
    "catching-up": "Catching up\u2026",
    offline: "Reconnecting\u2026",
  };
  el.dataset.state = st;
  el.querySelector(".conn-text").textContent = labels[st] || st;
  el.title = st === "live" ? "Live updates are on" : "Live updates are interrupted; the lists still refresh every few seconds";
}

async function checkSession() {
  try {
    await Api.session();
    return true;
  } catch (err) {
    if (err.status === 401) {
      sessionExpired();
      return false;
    }
    return true;
  }
}

// ====================================================================== header

function updateCounts() {
  const q = $("#count-queue");
  const o = $("#count-outgoing");
  if (!q || !o) return;
  const n = state.pending.length;
  q.textContent = n ? String(n) : "";
  q.hidden = !n;
  q.setAttribute("aria-label", `${n} waiting`);
  const alarms = state.alarms.size;
  o.textContent = alarms ? `${alarms} overdue` : "";
  o.hidden = !alarms;
  document.title = `${n ? `(${n}) ` : ""}${document.title.replace(/^\(\d+\) /, "")}`;
}

function renderHeader() {
  const s = state.session;
  $("#whoami-name").textContent = s.name || s.username;
  $("#whoami-agency").textContent = s.agency_name || s.agency;
  header.hidden = false;
  document.body.classList.add("signed-in");
  updateSoundButton();
}

function updateSoundButton() {
  const btn = $("#sound-btn");
  if (!btn) return;
  const ready = soundReady();
  btn.hidden = ready;
}

// ====================================================================== routing

function parseHash() {
  const hash = location.hash || "";
  if (!hash.startsWith("#/")) return { name: "queue", params: {} };
  const parts = hash.slice(2).split("/");
  const name = parts[0] || "queue";
  if (name === "transfer" && parts[1]) return { name, params: { id: decodeURIComponent(parts.slice(1).join("/")) } };
  if (ROUTES[name] && name !== "transfer") return { name, params: {} };
  return { name: "queue", params: {} };
}

const ctx = {
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  decide,
  ensureIncident,
  afterSend,
  toast,
  announce,
  refresh: () => scheduleRefresh(0),
};

function route() {
  if (!state.session) return;
  const hash = location.hash || "";
  if (hash && !hash.startsWith("#/")) return; // an in-page anchor
  const { name, params } = parseHash();
  current?.unmount?.();
  current = null;
  currentRoute = name;
  for (const a of document.querySelectorAll("#app-nav a")) {
    if (a.dataset.route === ROUTES[name].nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${ROUTES[name].title} \u2014 bluelight console`;
  clear(main);
  current = ROUTES[name].mount(main, ctx, params);
  updateCounts();
  const target = current?.focusTarget?.();
  if (target) target.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

window.addEventListener("hashchange", route);

subscribe((what, detail) => {
  if (what === "transfers") updateCounts();
  current?.update?.(what, detail);
});

// ====================================================================== keyboard

document.addEventListener("keydown", (ev) => {
  if (!state.session) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (shortcuts.open) {
    if (ev.key === "?") {
      shortcuts.close();
      ev.preventDefault();
    }
    return;
  }
  if (ev.key === "Escape") {
    if (current?.onKey?.(ev)) ev.preventDefault();
    return;
  }
  if (isTyping(ev.target)) return;
  if (ev.key === "?") {
    shortcuts.showModal();
    ev.preventDefault();
    return;
  }
  if (ev.key === "n") {
    ctx.navigate("#/send");
    ev.preventDefault();
    return;
  }
  if (current?.onKey?.(ev)) ev.preventDefault();
});

// ====================================================================== session

function ticks() {
  const now = nowS();
  for (const el of main.querySelectorAll("[data-since]")) {
    const since = Number(el.dataset.since);
    if (since) el.textContent = fmtWaited(now - since);
  }
  for (const [id, at] of state.arrivals) if (now - at > 30) state.arrivals.delete(id);
  current?.tick?.(now);
}

async function start(session) {
  state.session = session;
  setCsrf(session.csrf);
  renderHeader();
  try {
    const agencies = await Api.agencies();
    state.agencies = new Map(agencies.map((a) => [a.id, a]));
  } catch (err) {
    console.warn("the agency directory could not be loaded:", err.text);
  }
  if (!state.session) return;
  stream = new Stream({
    onEntries,
    onState: setConnection,
    checkSession,
    onLive: () => scheduleRefresh(0),
  });
  stream.start();
  tickTimer = setInterval(ticks, 1000);
  pollTimer = setInterval(() => scheduleRefresh(0), 5000);
  alarmTimer = setInterval(() => {
    if (state.alarms.size) beepAlarm();
  }, 30000);
  route();
  refreshLists();
}

function stop() {
  stream?.stop();
  stream = null;
  clearInterval(tickTimer);
  clearInterval(pollTimer);
  clearInterval(alarmTimer);
  clearTimeout(refreshTimer);
  current?.unmount?.();
  current = null;
  currentRoute = null;
  resetState();
  resetAgreements();
  resetSendDraft();
  setCsrf(null);
  header.hidden = true;
  document.body.classList.remove("signed-in");
  bannerKey = "";
  renderBanner();
  clear(toasts);
}

function showSignIn(notice) {
  document.title = "Sign in \u2014 bluelight console";
  mountSignIn(main, {
    notice,
    onSignedIn: async (session) => {
      await start(session);
    },
  });
}

function sessionExpired() {
  if (!state.session) return;
  stop();
  showSignIn("Your session has ended. Sign in again to carry on.");
}

async function signOut() {
  try {
    await Api.signOut();
  } catch {
    /* signed out locally regardless */
  }
  stop();
  showSignIn("You have signed out.");
}

async function boot() {
  setUnauthorizedHandler(sessionExpired);
  $("#signout").addEventListener("click", signOut);
  $("#sound-btn").addEventListener("click", async () => {
    await unlockSound();
    updateSoundButton();
    beepArrival();
  });
  $("#shortcuts-close").addEventListener("click", () => shortcuts.close());
  $("#skip-link").addEventListener("click", (ev) => {
    ev.preventDefault();
    main.focus();
  });
  onSoundState(updateSoundButton);
  const unlock = () => unlockSound().then(updateSoundButton);
  document.addEventListener("pointerdown", unlock, { capture: true });
  document.addEventListener("keydown", unlock, { capture: true });

  try {
    const session = await Api.session();
    await start(session);
  } catch (err) {
    showSignIn(err.status === 401 || err.status === 404 ? null : `The hub could not be reached (${err.text}).`);
  }
}

boot();
