// The hub's WebSocket stream (/v1/stream), authenticated by the session cookie.
//
// Frames are {"op": ...} objects, or a JSON array of them (the hub batches under load).
// Entries at or below the last seq processed are repeats: they are not processed again
// but are acknowledged again. On any close the stream reconnects with a backoff,
// resuming with ?after=<last seq seen>.

export class Stream {
  /**
   * @param {object} handlers
   *   onEntries(freshEntries, {catchingUp}) -> Promise|void : process new entries
   *   onLive(after)                                        : catch-up finished
   *   onState("connecting"|"catching-up"|"live"|"offline")
   *   onResult(frame)                                      : answer to a command
   *   checkSession() -> Promise<boolean>                   : false means signed out
   */
  constructor(handlers) {
    this.h = handlers;
    this.ws = null;
    this.lastSeq = null; // null until we have seen anything: the first connect omits ?after
    this.stopped = true;
    this.backoff = 250;
    this.failures = 0;
    this.timer = null;
    this.live = false;
    this.queue = Promise.resolve();
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      try {
        ws.close(1000, "signed out");
      } catch {
        /* already closed */
      }
    }
    this.h.onState?.("offline");
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const after = this.lastSeq !== null ? `?after=${this.lastSeq}` : "";
    return `${scheme}://${location.host}/v1/stream${after}`;
  }

  connect() {
    if (this.stopped) return;
    this.live = false;
    this.h.onState?.("connecting");
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.failures = 0;
      this.backoff = 250;
      this.h.onState?.("catching-up");
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return; // not JSON: nothing we can do with it
      }
      const frames = Array.isArray(data) ? data : [data];
      // Process frames strictly in order, one message after the other.
      this.queue = this.queue.then(() => this.handleFrames(frames)).catch((err) => {
        console.warn("stream frame handling failed", err);
      });
    };
    ws.onclose = () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.live = false;
      if (this.stopped) return;
      if (!opened) this.failures += 1;
      this.h.onState?.("offline");
      this.scheduleReconnect();
    };
    ws.onerror = () => {
      /* onclose follows and reconnects */
    };
  }

  async scheduleReconnect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    // A refused upgrade looks like any other failure in a browser; after a couple of
    // them, ask whether we are still signed in before trying again.
    if (this.failures >= 2 && this.h.checkSession) {
      const ok = await this.h.checkSession();
      if (!ok || this.stopped) return;
    }
    const delay = Math.min(this.backoff, 5000) * (0.8 + Math.random() * 0.4);
    this.backoff = Math.min(this.backoff * 2, 5000);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  async handleFrames(frames) {
    for (const frame of frames) {
      if (!frame || typeof frame !== "object") continue;
      if (frame.op === "entries" && Array.isArray(frame.entries)) {
        await this.handleEntries(frame.entries);
      } else if (frame.op === "live") {
        if (typeof frame.after === "number" && (this.lastSeq === null || frame.after > this.lastSeq)) {
          this.lastSeq = frame.after;
        }
        this.live = true;
        this.h.onState?.("live");
        await this.h.onLive?.(frame.after);
      } else if (frame.op === "result") {
        this.h.onResult?.(frame);
      }
    }
  }

  async handleEntries(entries) {
    const seqs = [];
    const fresh = [];
    for (const entry of entries) {
      if (!entry || typeof entry.seq !== "number") continue;
      seqs.push(entry.seq);
      if (this.lastSeq !== null && entry.seq <= this.lastSeq) continue; // a repeat
      fresh.push(entry);
      this.lastSeq = entry.seq;
    }
    if (fresh.length) {
      try {
        await this.h.onEntries?.(fresh, { catchingUp: !this.live });
      } catch (err) {
        console.warn("processing entries failed", err);
      }
    }
    // Acknowledge once displayed, repeats included (their first ack evidently got lost).
    if (seqs.length) this.send({ op: "ack", seqs });
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }
}
