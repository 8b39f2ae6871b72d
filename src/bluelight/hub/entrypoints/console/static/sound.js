// Audible alerts made with WebAudio oscillators: no audio files.
// Browsers only let a page make sound after a user gesture, so the context is created
// (or resumed) on the first click or key press; until then `soundReady()` is false and
// the header offers an "Enable sound" button.

let ctx = null;
let listeners = new Set();

function context() {
  if (!ctx) {
    const Ctor = window.AudioContext || window.webkitAudioContext;
    if (!Ctor) return null;
    try {
      ctx = new Ctor();
    } catch {
      return null;
    }
    ctx.onstatechange = () => listeners.forEach((fn) => fn(soundReady()));
  }
  return ctx;
}

export function soundReady() {
  return Boolean(ctx && ctx.state === "running");
}

export function onSoundState(fn) {
  listeners.add(fn);
}

/** Call from a user gesture. */
export async function unlockSound() {
  const c = context();
  if (!c) return false;
  if (c.state !== "running") {
    try {
      await c.resume();
    } catch {
      /* not allowed yet */
    }
  }
  listeners.forEach((fn) => fn(soundReady()));
  return soundReady();
}

function tone(c, start, freq, duration, type = "sine", volume = 0.25) {
  const osc = c.createOscillator();
  const gain = c.createGain();
  osc.type = type;
  osc.frequency.setValueAtTime(freq, start);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(volume, start + 0.015);
  gain.gain.setValueAtTime(volume, start + duration - 0.03);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
  osc.connect(gain).connect(c.destination);
  osc.start(start);
  osc.stop(start + duration + 0.02);
}

let lastArrival = 0;

/** A new partner incident: two rising tones. At most one chime a second. */
export function beepArrival() {
  const c = context();
  if (!c || c.state !== "running") return false;
  const now = performance.now();
  if (now - lastArrival < 1000) return true;
  lastArrival = now;
  const t = c.currentTime + 0.01;
  tone(c, t, 880, 0.14, "sine", 0.22);
  tone(c, t + 0.18, 1175, 0.2, "sine", 0.22);
  return true;
}

let lastAlarm = 0;

/** Overdue: phone the partner now. Three harsh, insistent tones. */
export function beepAlarm() {
  const c = context();
  if (!c || c.state !== "running") return false;
  const now = performance.now();
  if (now - lastAlarm < 1500) return true;
  lastAlarm = now;
  const t = c.currentTime + 0.01;
  for (let i = 0; i < 3; i += 1) {
    tone(c, t + i * 0.32, 660, 0.16, "square", 0.16);
    tone(c, t + i * 0.32 + 0.16, 440, 0.14, "square", 0.16);
  }
  return true;
}
