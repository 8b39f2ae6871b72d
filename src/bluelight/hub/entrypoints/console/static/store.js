// The console's state, shared by the views, and a tiny change notifier.

export const state = {
  session: null, // {username, name, agency, agency_name, service, csrf}
  agencies: new Map(), // id -> agency
  pending: [], // received transfers still stored/delivered, newest first
  received: [], // the most recent received transfers (any state)
  sent: [], // transfers we sent, newest first
  incidents: new Map(), // incident_id -> incident as it now stands
  loaded: false,
  connection: "offline",
  alarms: new Map(), // `${transfer_id}:${stage}` -> alarm
  lastReceipt: null,
  arrivals: new Map(), // transfer_id -> time it arrived live (for the flash)
  agreements: null, // this agency's data-sharing agreements (every version), once loaded
};

const listeners = new Set();

export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** what: "transfers" | "incidents" | "agencies" | "connection" | "alarms" | "stats" | "entry" */
export function notify(what, detail) {
  for (const fn of [...listeners]) {
    try {
      fn(what, detail);
    } catch (err) {
      console.error(err);
    }
  }
}

export function agencyName(id) {
  if (!id) return "—";
  if (id === "hub") return "bluelight hub";
  const a = state.agencies.get(id);
  return a ? a.name : id;
}

export function agencyPhone(id) {
  const a = state.agencies.get(id);
  return a ? a.phone : null;
}

export function isPending(t) {
  return t && (t.state === "stored" || t.state === "delivered");
}

/** Is a received or sent transfer past a deadline now? */
export function isOverdue(t, now) {
  if (!isPending(t)) return false;
  if (t.state === "stored" && (t.ack_overdue_at || (t.ack_due_at && now > t.ack_due_at))) return true;
  if (t.decision_overdue_at) return true;
  if (t.decision_due_at && now > t.decision_due_at) return true;
  return false;
}

export function resetState() {
  state.session = null;
  state.agencies = new Map();
  state.pending = [];
  state.received = [];
  state.sent = [];
  state.incidents = new Map();
  state.loaded = false;
  state.alarms = new Map();
  state.lastReceipt = null;
  state.arrivals = new Map();
  state.agreements = null;
}
