"""The OpenAPI 3.1 document, generated from the endpoint declarations and the msgspec
types: there is no second, hand-written copy of any schema."""

from __future__ import annotations

import inspect
import re
from typing import Any

import msgspec
import msgspec.inspect

from bluelight import __version__
from bluelight.hub.entrypoints.api import Acknowledged
from bluelight.kernel.problems import TITLES, Problem
from bluelight.kernel.routing import SESSION_COOKIE, Api, Endpoint, Param
from bluelight.wire.agency import MessageFormat
from bluelight.wire.transfer import SEQ_MAX
from bluelight.wire.views import Receipt

_PATH_PARAM = re.compile(r"{([^}]+)}")
REF = "#/components/schemas/{name}"

DESCRIPTION = """\
Multi-Agency Incident Transfer (MAIT) hub. A control room's CAD system sends an incident
to partner agencies; each partner's system acknowledges receipt (delivered) and its
operator accepts or rejects it. The sender is told of every step, and told to phone the
partner if a deadline passes. Authenticate with `Authorization: Bearer <agency token>`.
Errors are RFC 9457 problem details (`application/problem+json`) naming the field and
the fault. The WebSocket stream at `/v1/stream` pushes the same mailbox entries that
`GET /v1/inbox` returns; see docs/integrator-guide.md."""


SECURITY_SCHEMES = {
    "agencyToken": {"type": "http", "scheme": "bearer",
                    "description": "The agency token from `bluelight agency add`"},
    "agencyCertificate": {"type": "mutualTLS",
                          "description": "A client certificate naming the agency, on a hub "
                                         "that asks for them (`tls_client_ca`)"},
    "consoleSession": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                       "description": "A console operator's session, set by POST "
                                      "/console/api/session"},
    "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                  "description": "The session's `csrf` from sign-in: sent with the session "
                                 "cookie on every request that changes anything (else 403)"},
}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Console endpoints that take the session cookie themselves (auth=False: no bearer token).
_SESSION_ONLY = frozenset({"current_session", "sign_out"})


def _session(method: str) -> dict[str, list]:
    return ({"consoleSession": []} if method in _SAFE_METHODS
            else {"consoleSession": [], "csrfToken": []})


# What the routing layer does not declare: the media types of the bodies a `raw_body`
# endpoint takes, and of the answers of handlers that make their own Response (by
# operation id; `build` refuses an endpoint of either kind missing here).
_TEXT = {"type": "string"}
_RAW_BODIES: dict[str, dict[str, Any]] = {
    # NENA EIDO and EDXL-DE in JSON, CAP and MAIT in XML, the hub's own JSON.
    "receive_message": {"application/json": {"type": "object"}, "application/xml": _TEXT},
    "import_csv": {"text/csv": _TEXT},
}
_SVG = {"image/svg+xml": _TEXT}
_RAW_RESPONSES: dict[str, dict[str, Any]] = {
    "receive_message": {"application/json": (Receipt, Acknowledged)},
    "register_report_html": {"text/html": _TEXT},
    "register_report_csv": {"text/csv": _TEXT},
    "assessments_radar": _SVG, "compare_years_radar": _SVG,
    "compare_respondents_radar": _SVG, "assessment_radar": _SVG,
}


def _raw_content(table: dict[str, dict[str, Any]], e: Endpoint, by_type: dict) -> dict:
    if e.handler.__name__ not in table:
        raise ValueError(f"{e.method} {e.path}: state its media types in openapi.py")
    return {media: {"schema": {"anyOf": [by_type[t] for t in schema]}
                    if isinstance(schema, tuple) else schema}
            for media, schema in table[e.handler.__name__].items()}


def security(e: Endpoint) -> list[dict[str, list]]:
    """Who may call it, as `routing.identify` and `require_role` decide: an agency's token
    or certificate, or an operator's console session (with the CSRF header for a
    change); only an administrator's session for the admin endpoints."""
    if e.role is not None:
        return [_session(e.method)]
    if e.auth:
        return [{"agencyToken": []}, {"agencyCertificate": []}, _session(e.method)]
    if e.handler.__name__ in _SESSION_ONLY:
        return [_session(e.method)]
    return []


def errors(e: Endpoint) -> list[int]:
    """The problem statuses the endpoint can answer with: those it declares, and those
    the routing layer gives any endpoint declared like it."""
    implied = set(e.errors)
    requirements = security(e)
    if requirements:
        implied.add(401)  # no credential, a wrong or revoked one, an expired session
        if any("csrfToken" in r for r in requirements) or e.role is not None:
            implied.add(403)  # a session without the CSRF header; not an administrator
    if e.body is not None:
        implied |= {400, 413, 415, 422}  # malformed JSON, too large, not JSON, invalid
    elif e.raw_body:
        implied |= {413, 422}
    if e.signed is not None:
        implied.add(401)  # the signature is missing, wrong or too old
    if e.query:
        implied.add(422)  # a query parameter of the wrong type or out of range
    if requirements or e.method not in _SAFE_METHODS:
        implied.add(503)  # storage unavailable: checking a session or storing may fail
    return sorted(implied)


def build(*apis: Api) -> dict[str, Any]:
    endpoints = [e for api in apis for e in api.endpoints]
    types: list[Any] = [Problem, MessageFormat, Receipt, Acknowledged]
    for e in endpoints:
        if e.body is not None:
            types.append(e.body)
        if e.response is not None:
            types.append(e.response)
        types.extend(p.type for p in e.query)
    schemas, components = msgspec.json.schema_components(types, ref_template=REF)
    by_type = dict(zip(types, schemas, strict=True))

    paths: dict[str, dict] = {}
    for e in endpoints:
        op: dict[str, Any] = {
            "operationId": e.handler.__name__,
            "summary": e.summary,
            "tags": [e.tag],
            "responses": {},
        }
        if e.description:
            op["description"] = e.description
        params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in _PATH_PARAM.findall(e.path)
        ]
        params += [
            {"name": p.name, "in": "query", "required": _required(p),
             # An optional parameter's schema admits null: `?since=null` is taken as
             # not given, as msgspec's lax conversion of query strings does.
             "description": p.description, "schema": by_type[p.type]}
            for p in e.query
        ]
        if e.signed is not None:
            params.append({"name": "X-JWS-Signature", "in": "header", "required": False,
                           "description": "A JWS with a detached payload over the body's exact "
                                          "bytes; required of an agency with a signing key",
                           "schema": {"type": "string"}})
        if params:
            op["parameters"] = params
        if e.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": by_type[e.body]}},
            }
        elif e.raw_body:
            op["requestBody"] = {"required": True,
                                 "content": _raw_content(_RAW_BODIES, e, by_type)}
        ok: dict[str, Any] = {"description": "OK"}
        if e.response is not None:
            ok["content"] = {"application/json": {"schema": by_type[e.response]}}
        elif e.ok != 204:
            ok["content"] = _raw_content(_RAW_RESPONSES, e, by_type)
        op["responses"][str(e.ok)] = ok
        if e.ok == 201 and (e.response is Receipt or e.raw_body):
            # Sender messages are idempotent by message id: a resend gets the original.
            op["responses"]["200"] = {
                "description": "Already received: the original receipt",
                "content": ok.get("content", {}),
            }
        for status in errors(e):
            op["responses"][str(status)] = {
                "description": e.error_titles.get(status) or _problem_title(status),
                "content": {"application/problem+json": {"schema": by_type[Problem]}},
            }
        if requirements := security(e):
            op["security"] = requirements
        paths.setdefault(e.path, {})[e.method.lower()] = op

    problem = {"application/problem+json": {"schema": by_type[Problem]}}
    paths["/v1/stream"] = {
        "get": {
            "operationId": "stream",
            "summary": "WebSocket: pushed mailbox entries, and commands",
            "tags": ["receiving"],
            "description": "Upgrade to WebSocket. Query `after` = last seq seen. "
                           "See docs/integrator-guide.md for the frames. The handshake "
                           "is refused with a problem: 401 without a valid credential, "
                           "403 for a console session from a page of another site, 422 "
                           "for a bad `after` or `format`; a request without the "
                           "WebSocket upgrade gets 426.",
            "parameters": [
                {"name": "after", "in": "query", "required": False,
                 "description": "The last seq seen: entries after it are sent, preceded "
                                "by any earlier one not yet acknowledged",
                 "schema": {"type": "integer", "minimum": 0,
                                           "maximum": SEQ_MAX}},
                {"name": "format", "in": "query", "required": False,
                 "description": "Also write each entry in this standard (`rendered`); "
                                "default: your agency's configured one",
                 "schema": by_type[MessageFormat]},
            ],
            "security": [{"agencyToken": []}, {"agencyCertificate": []},
                         {"consoleSession": []}],
            "responses": {
                "101": {"description": "Switching protocols"},
                **{str(status): {"description": _problem_title(status), "content": problem}
                   for status in (401, 403, 422)},
                "426": {"description": TITLES["upgrade-required"] +
                        " (a request without the WebSocket upgrade)", "content": problem},
            },
        }
    }
    return _normalised({
        "openapi": "3.1.0",
        "info": {"title": "bluelight hub API", "version": __version__,
                 "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": SECURITY_SCHEMES,
        },
    })


def _required(param: Param) -> bool:
    """A query parameter with no default whose type does not admit null must be given."""
    info = msgspec.inspect.type_info(param.type)
    nullable = (info.includes_none if isinstance(info, msgspec.inspect.UnionType)
                else isinstance(info, msgspec.inspect.NoneType))
    return param.default is None and not nullable


def _normalised(node: Any) -> Any:
    """Every description as `inspect.cleandoc` leaves it. Descriptions come from
    docstrings, and whether a docstring keeps its leading indentation depends on the
    Python that compiled it (3.13 strips it): the document must be the same on every
    supported Python, or the committed copy is stale on some of them."""
    if isinstance(node, dict):
        return {key: (inspect.cleandoc(value) if key == "description" and isinstance(value, str)
                      else _normalised(value)) for key, value in node.items()}
    if isinstance(node, list):
        return [_normalised(item) for item in node]
    return node


def _problem_title(status: int) -> str:
    return {
        400: TITLES["malformed"], 401: TITLES["unauthenticated"], 403: TITLES["forbidden"],
        404: TITLES["not-found"], 409: TITLES["conflict"], 413: TITLES["too-large"],
        415: TITLES["unsupported-media-type"], 422: TITLES["invalid"],
        429: TITLES["throttled"], 503: TITLES["storage-unavailable"],
    }.get(status, "Error")


def document() -> dict[str, Any]:
    """The hub's whole API: what `/openapi.json` serves and `bluelight openapi` prints."""
    from bluelight.hub.entrypoints import admin_api, console
    from bluelight.hub.entrypoints.api import api
    from bluelight.workbench.entrypoints import apis as workbench_apis

    return build(api, admin_api.api, console.api, *workbench_apis())
