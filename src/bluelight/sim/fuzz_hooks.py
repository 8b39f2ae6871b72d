"""Schemathesis hooks for `bluelight.sim.fuzz`, loaded by the schemathesis process it
starts (SCHEMATHESIS_HOOKS=bluelight.sim.fuzz_hooks). They read the live hub's address
and credentials from the environment the runner sets.

- Authentication: each operation gets the credential its `security` names first: the
  agency's bearer token, else the administrator's console session (cookie, plus the
  X-CSRF-Token header for a change). Schemathesis asks again after a 401: the fuzzer may
  have signed the session out (DELETE /console/api/session) or revoked the token
  (POST /v1/admin/credentials/{key_id}/revocation) itself, so asking again signs in anew
  and issues the agency a new token when the old one no longer works.
- A log of every response (one JSON line each) for the runner's figures: status, and
  whether the operation documents that status.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass

import httpx
import schemathesis

from bluelight.kernel.routing import SESSION_COOKIE
from bluelight.sim.fuzz import ENV_ADMIN, ENV_AGENCY, ENV_LOG, ENV_TOKEN, ENV_URL

_lock = threading.Lock()


@dataclass
class Credentials:
    token: str
    cookie: str = ""
    csrf: str = ""


_current = Credentials(token=os.environ.get(ENV_TOKEN, ""))


def _client() -> httpx.Client:
    return httpx.Client(base_url=os.environ[ENV_URL], timeout=10)


def _sign_in(client: httpx.Client) -> tuple[str, str]:
    username, _, password = os.environ[ENV_ADMIN].partition(":")
    r = client.post("/console/api/session", json={"username": username, "password": password})
    r.raise_for_status()
    return r.cookies[SESSION_COOKIE], r.json()["csrf"]


def _refreshed(old: Credentials) -> Credentials:
    """Credentials that work now: the session re-opened and the token re-issued if the
    fuzzer ended them."""
    new = Credentials(old.token, old.cookie, old.csrf)
    with _client() as client:
        if not new.cookie or client.get("/console/api/session", cookies={
                SESSION_COOKIE: new.cookie}).status_code == 401:
            new.cookie, new.csrf = _sign_in(client)
        if client.get("/v1/agencies", headers={
                "Authorization": f"Bearer {new.token}"}).status_code == 401:
            r = client.post(f"/v1/admin/agencies/{os.environ[ENV_AGENCY]}/credentials",
                            cookies={SESSION_COOKIE: new.cookie},
                            headers={"X-CSRF-Token": new.csrf})
            r.raise_for_status()
            new.token = r.json()["token"]
    return new


@schemathesis.auth(refresh_interval=3600)
class HubAuth:
    def get(self, case, context) -> Credentials:
        global _current
        with _lock:
            _current = _refreshed(_current)
            return _current

    def set(self, case, data: Credentials, context) -> None:
        for requirement in case.operation.definition.raw.get("security", []):
            if "agencyToken" in requirement:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data.token}"}
                return
            if "consoleSession" in requirement:
                case.cookies = {**(case.cookies or {}), SESSION_COOKIE: data.cookie}
                if "csrfToken" in requirement:
                    case.headers = {**(case.headers or {}), "X-CSRF-Token": data.csrf}
                return


# Message framing is the HTTP server's, not an operation's: a generated Content-Length or
# Transfer-Encoding that contradicts the body is refused by uvicorn before routing, with a
# 400 problem (entrypoints/http_protocol.py; tests/integration/test_hostile_input.py checks
# it). It is not listed under each operation, so the fuzzer does not send such headers.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    if isinstance(case.headers, MutableMapping):  # a CaseInsensitiveDict
        for name in [n for n in case.headers if n.lower() in FRAMING_HEADERS]:
            del case.headers[name]


_log_lock = threading.Lock()


@schemathesis.hook
def after_call(context, case, response) -> None:
    path = os.environ.get(ENV_LOG)
    if not path:
        return
    operation = case.operation
    status = response.status_code
    documented = operation.definition.raw.get("responses", {})
    line = json.dumps({
        "operation": f"{operation.method.upper()} {operation.path}",
        "method": case.method.upper(),
        "status": status,
        "documented": str(status) in documented or f"{str(status)[0]}XX" in documented
        or "default" in documented,
    })
    with _log_lock, open(path, "a", encoding="utf-8") as log:
        log.write(line + "\n")
