// Sign-in with a console operator's username and password: the same session (an
// HttpOnly cookie and a CSRF token) serves the console and the workbench.

import { Session } from "../api.js";
import { h, clear, replaceChildren } from "/console/dom.js";

export function mountSignIn(container, { onSignedIn, notice }) {
  const error = h("div.signin-error", { id: "signin-error", role: "alert" });
  const username = h("input", { id: "login-username", name: "username", type: "text", autocomplete: "username",
    autocapitalize: "none", spellcheck: "false", required: true, "data-testid": "login-username" });
  const password = h("input", { id: "login-password", name: "password", type: "password",
    autocomplete: "current-password", required: true, "data-testid": "login-password" });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit", "data-testid": "login-submit" }, "Sign in");
  const form = h(
    "form.signin-form",
    {
      novalidate: true,
      "aria-describedby": "signin-error",
      onsubmit: async (ev) => {
        ev.preventDefault();
        clear(error);
        if (!username.value.trim() || !password.value) {
          error.append(h("p", "Enter your username and your password."));
          (username.value.trim() ? password : username).focus();
          return;
        }
        submit.disabled = true;
        try {
          const session = await Session.signIn(username.value.trim(), password.value);
          password.value = "";
          onSignedIn(session);
        } catch (err) {
          replaceChildren(error, h("p", err.status === 401
            ? "The username or password is not right. Try again, or ask your supervisor to reset it."
            : err.text || "Signing in failed."));
          password.value = "";
          password.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("div.field", h("label", { for: "login-username" }, "Username"), username),
    h("div.field", h("label", { for: "login-password" }, "Password"), password),
    error,
    submit,
  );
  if (notice) error.append(h("p", notice));
  replaceChildren(
    container,
    h(
      "section.signin",
      { "aria-labelledby": "signin-title" },
      h(
        "div.signin-card",
        h("h1#signin-title", { tabindex: "-1" }, "Sign in to the collaboration workbench"),
        h("p.signin-lede", "The register of collaborations, the board's monitoring report, estates data and the self-assessment. Use your control-room console account."),
        form,
        h("p.small", "The public performance report needs no sign-in: ", h("a", { href: "/v1/workbench/report.html" }, "open the public report"), "."),
      ),
    ),
  );
  username.focus();
}
