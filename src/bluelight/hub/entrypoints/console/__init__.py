"""The control-room console: sign-in, and the single-page app in `static/`.

The console is a client of the same `/v1` API as CAD systems; it authenticates with a
session cookie instead of a bearer token (see `kernel.routing.identify`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import msgspec
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from bluelight.hub.domain.operator import Session
from bluelight.hub.services.hashing import Busy
from bluelight.hub.services.hub import Hub
from bluelight.hub.services.throttle import Throttled
from bluelight.kernel.errors import FieldFault
from bluelight.kernel.pages import PageFiles
from bluelight.kernel.problems import TITLES, ProblemError
from bluelight.kernel.routing import SESSION_COOKIE, Api, Call, Gate, identify, session_token

STATIC = Path(__file__).with_name("static")


@dataclass(frozen=True)
class Console:
    """What the console's endpoints work with: the hub, and the gate that tells who is
    signed in (signing out checks the session as any other change would be checked)."""

    hub: Hub
    gate: Gate


api: Api[Console] = Api()
ConsoleCall = Call[Console]


class SignIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class SessionView(msgspec.Struct):
    """Who is signed in, and the CSRF token the page must send with every change."""

    username: str
    name: str
    agency: str
    agency_name: str
    service: str
    csrf: str
    expires_at: float
    role: str = "operator"  # "admin" may also use the /v1/admin endpoints


async def _view(call: ConsoleCall, session: Session) -> SessionView:
    agency = next(a for a in await call.ctx.hub.agencies() if a.id == session.agency)
    return SessionView(username=session.username, name=session.name, agency=agency.id,
                       agency_name=agency.name, service=agency.service.value,
                       csrf=session.csrf, expires_at=session.expires_at, role=session.role)


def _unauthenticated(detail: str) -> ProblemError:
    return ProblemError(401, "unauthenticated", detail)


_THROTTLED = {"username": "for this username", "address": "from this address"}


@api.route("POST", "/console/api/session", summary="Sign in to the console", tag="console",
           body=SignIn, response=SessionView, auth=False, errors=(400, 401, 422, 429, 503),
           error_titles={503: f"{TITLES['busy']}, or could not store the session"},
           description="A wrong username and a wrong password get the same 401, in the "
           "same time. After too many failures for one username, or from one client "
           "address, sign-in pauses, for twice as long after each further failure: 429 "
           "with `Retry-After` (seconds), whether or not the account exists. 503 with "
           "`Retry-After`: the hub is already checking as many passwords as it queues. "
           "Every refusal comes at least `signin_refusal_delay_s` (1 s) after the request.")
async def sign_in(call: ConsoleCall) -> Response:
    # The TCP peer's address; uvicorn puts a trusted proxy's X-Forwarded-For here only
    # when the `trusted_proxies` setting names that proxy.
    address = call.request.client.host if call.request.client else ""
    try:
        opened = await call.ctx.hub.sign_in(call.body.username.lower(), call.body.password,
                                            address)
    except Throttled as exc:
        wait = max(1, math.ceil(exc.wait_s))
        raise ProblemError(429, "throttled", f"too many failed sign-ins {_THROTTLED[exc.scope]}"
                           f"; try again in {wait} s",
                           headers={"Retry-After": str(wait)}) from None
    except Busy as exc:
        wait = max(1, math.ceil(exc.retry_after_s))
        raise ProblemError(503, "busy", f"the hub is checking too many sign-ins at once; "
                           f"try again in {wait} s", headers={"Retry-After": str(wait)}) from None
    if opened is None:
        raise ProblemError(401, "unauthenticated", "wrong username or password",
                           [FieldFault("password", "wrong username or password")])
    token, session = opened
    view = await _view(call, session)
    response = Response(msgspec.json.encode(view), media_type="application/json")
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(session.expires_at - session.created_at),
        httponly=True, samesite="strict", secure=call.request.url.scheme == "https",
        path="/",
    )
    return response


@api.route("GET", "/console/api/session", summary="Who is signed in", tag="console",
           response=SessionView, auth=False, errors=(401,))
async def current_session(call: ConsoleCall) -> SessionView:
    token = session_token(call.request.headers)
    session = await call.ctx.hub.session(token) if token else None
    if session is None:
        raise _unauthenticated("not signed in, or the session has expired")
    return await _view(call, session)


@api.route("DELETE", "/console/api/session", summary="Sign out", tag="console", ok=204,
           auth=False, errors=(401, 403))
async def sign_out(call: ConsoleCall) -> Response:
    identity = await identify(call.ctx.gate, call.request.headers, "DELETE")
    token = session_token(call.request.headers)
    if identity.session is None or token is None:
        raise _unauthenticated("not signed in")
    await call.ctx.hub.sign_out(token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _home(request: Request) -> Response:
    return RedirectResponse("/console/", status_code=307)


def routes(hub: Hub, gate: Gate, max_body_bytes: int) -> list[BaseRoute]:
    return [
        *api.starlette_routes(Console(hub, gate), gate, max_body_bytes),
        Route("/", _home),
        Mount("/console", app=PageFiles(directory=STATIC, html=True, check_dir=False),
              name="console"),
    ]

