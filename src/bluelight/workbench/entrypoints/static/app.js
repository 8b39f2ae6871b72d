// bluelight collaboration workbench: session, hash routing and the page shell.
//
// Each view module exports mount(container, ctx, route) and may return {unmount()}.
// Routes: #/register, #/collaboration/<id>, #/area/<name>, #/new, #/board, #/estates,
// #/assessment[/<id>].

import { Session, setCsrf, setUnauthorizedHandler } from "./api.js";
import { h, replaceChildren } from "/console/dom.js";
import { parseHash } from "./ui.js";
import { mountSignIn } from "./views/signin.js";
import { mountRegister } from "./views/register.js";
import { mountCollaboration } from "./views/collaboration.js";
import { mountArea } from "./views/area.js";
import { mountNewCollaboration } from "./views/new.js";
import { mountBoard } from "./views/board.js";
import { mountEstates } from "./views/estates.js";
import { mountAssessment } from "./views/assessment.js";

const main = document.querySelector("#main");
const header = document.querySelector("#app-header");
const announcer = document.querySelector("#announcer");

const ROUTES = {
  register: { mount: mountRegister, title: "Register", nav: "register" },
  collaboration: { mount: mountCollaboration, title: "Collaboration", nav: "register" },
  area: { mount: mountArea, title: "Area", nav: "register" },
  new: { mount: mountNewCollaboration, title: "Add a collaboration", nav: "register" },
  board: { mount: mountBoard, title: "Board", nav: "board" },
  estates: { mount: mountEstates, title: "Estates", nav: "estates" },
  assessment: { mount: mountAssessment, title: "Self-assessment", nav: "assessment" },
};

let session = null;
let current = null;

export function announce(text) {
  announcer.textContent = "";
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

const ctx = {
  announce,
  get session() {
    return session;
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

function unmount() {
  try {
    current?.unmount?.();
  } catch (err) {
    console.warn("unmount failed", err);
  }
  current = null;
}

function route() {
  if (!session) return;
  const { path, params } = parseHash();
  const name = ROUTES[path[0]] ? path[0] : "register";
  const spec = ROUTES[name];
  for (const a of header.querySelectorAll("[data-route]")) {
    if (a.dataset.route === spec.nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  unmount();
  replaceChildren(main);
  document.title = `${spec.title} \u2013 bluelight workbench`;
  current = spec.mount(main, ctx, { path: path.slice(1), params }) || null;
  focusHeadingSoon();
  window.scrollTo(0, 0);
}

// Move focus to the new page's heading so it is announced. Views draw a placeholder
// heading, then the real page when their data arrives; follow that for a moment, but
// never take focus from something the user has already moved to.
function focusHeadingSoon() {
  const focus = () => {
    const active = document.activeElement;
    if (active && active !== document.body && active !== main && active.tagName !== "H1") return;
    main.querySelector("h1")?.focus({ preventScroll: true });
  };
  requestAnimationFrame(focus);
  const watcher = new MutationObserver(focus);
  watcher.observe(main, { childList: true });
  setTimeout(() => watcher.disconnect(), 3000);
}

function showSignIn(notice) {
  session = null;
  setCsrf(null);
  unmount();
  header.hidden = true;
  document.title = "Sign in \u2013 bluelight workbench";
  mountSignIn(main, { onSignedIn: start, notice });
}

function start(s) {
  session = s;
  setCsrf(s.csrf);
  header.hidden = false;
  document.querySelector("#whoami-name").textContent = s.name;
  document.querySelector("#whoami-agency").textContent = s.agency_name;
  route();
}

setUnauthorizedHandler(() => showSignIn("Your session has ended. Sign in again."));

document.querySelector("#signout").addEventListener("click", async () => {
  try {
    await Session.signOut();
  } catch {
    // Signed out already, or the hub is unreachable: either way the page forgets it.
  }
  showSignIn("You have signed out.");
});

window.addEventListener("hashchange", route);

(async () => {
  try {
    start(await Session.current());
  } catch (err) {
    if (err.status === 401) showSignIn();
    else replaceChildren(main, h("p.error-text", { role: "alert" }, `The hub could not be reached: ${err.text || err}`));
  }
})();
