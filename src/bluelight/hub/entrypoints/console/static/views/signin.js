// Sign-in: the operator's own username and password. The hub answers with the session
// object and sets an HttpOnly cookie.

import { Api } from "../api.js";
import { h, clear, replaceChildren } from "../dom.js";
import { unlockSound } from "../sound.js";

export function mountSignIn(container, { onSignedIn, notice }) {
  const error = h("div.signin-error", { role: "alert", id: "signin-error", "aria-live": "assertive" });
  const username = h("input", {
    id: "login-username",
    name: "username",
    type: "text",
    autocomplete: "username",
    autocapitalize: "none",
    spellcheck: "false",
    required: true,
    "data-testid": "login-username",
  });
  const password = h("input", {
    id: "login-password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
    "data-testid": "login-password",
  });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit", "data-testid": "login-submit" }, "Sign in");

  const form = h(
    "form.signin-form",
    {
      novalidate: true,
      "aria-describedby": "signin-error",
      onsubmit: async (ev) => {
        ev.preventDefault();
        unlockSound(); // a user gesture: allow alert sounds from now on
        clear(error);
        if (!username.value.trim() || !password.value) {
          error.append(h("p", "Enter your username and your password."));
          (username.value.trim() ? password : username).focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = "Signing in\u2026";
        try {
          const session = await Api.signIn(username.value.trim(), password.value);
          password.value = "";
          await onSignedIn(session);
        } catch (err) {
          const text =
            err.status === 401
              ? "The username or password is not right. Try again, or ask your supervisor to reset it."
              : err.text || "Signing in failed.";
          replaceChildren(error, h("p", text));
          password.value = "";
          password.focus();
        } finally {
          submit.disabled = false;
          submit.textContent = "Sign in";
        }
      },
    },
    h("div.field", h("label", { for: "login-username" }, "Username"), username),
    h("div.field", h("label", { for: "login-password" }, "Password"), password),
    error,
    submit,
  );

  if (notice) error.append(h("p", notice));

  replaceChildren(container, 
    h(
      "section.signin",
      { "aria-labelledby": "signin-title" },
      h(
        "div.signin-card",
        h("h1#signin-title", { tabindex: "-1" }, "Sign in to the control-room console"),
        h(
          "p.signin-lede",
          "Multi-Agency Incident Transfer: send incidents to partner control rooms, and accept or reject theirs.",
        ),
        form,
      ),
    ),
  );
  username.focus();
  return { unmount() {} };
}
