"""The OpenAPI 3.1 document, generated from the endpoint declarations and the msgspec
types: there is no second, hand-written copy of any schema. Which APIs a server's
document covers, and what it says beyond them, is the server's to say (`About`; for
this one, `bluelight.api_document`)."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
import msgspec.inspect

from bluelight.kernel.problems import TITLES, Problem
from bluelight.kernel.routing import SESSION_COOKIE, Api, Endpoint, Param

_PATH_PARAM = re.compile(r"{([^}]+)}")
REF = "#/components/schemas/{name}"
MediaTypes = Mapping[str, Mapping[str, Any]]  # operation id -> media type -> schema


@dataclass(frozen=True)
class About:
    """What a document says beyond its endpoints' declarations.

    `raw_bodies` and `raw_responses`: the media types of the bodies a `raw_body`
    endpoint takes, and of the answers of handlers that make their own Response, by
    operation id (`build` refuses an endpoint of either kind missing here); a schema
    given as a tuple of types is any of them. `session_only`: endpoints (auth=False)
    that take the session cookie themselves. `replayed`: responses of a 201 that a
    resend answers with 200 (idempotent by message id). `types`: schemas the document
    always carries, first. `paths`: paths that are not endpoints (a WebSocket), given
    each type's schema."""

    title: str
    version: str
    description: str
    types: tuple[Any, ...] = ()
    raw_bodies: MediaTypes = field(default_factory=dict)
    raw_responses: MediaTypes = field(default_factory=dict)
    session_only: frozenset[str] = frozenset()
    replayed: tuple[Any, ...] = ()
    paths: Callable[[dict[Any, dict]], dict[str, dict]] | None = None


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


def _session(method: str) -> dict[str, list]:
    return ({"consoleSession": []} if method in _SAFE_METHODS
            else {"consoleSession": [], "csrfToken": []})


def _raw_content(table: MediaTypes, e: Endpoint[Any], by_type: dict) -> dict:
    if e.handler.__name__ not in table:
        raise ValueError(f"{e.method} {e.path}: state its media types in the document's "
                         "About (raw_bodies, raw_responses)")
    return {media: {"schema": {"anyOf": [by_type[t] for t in schema]}
                    if isinstance(schema, tuple) else schema}
            for media, schema in table[e.handler.__name__].items()}


def security(e: Endpoint[Any], session_only: frozenset[str] = frozenset()
             ) -> list[dict[str, list]]:
    """Who may call it, as `routing.identify` and `require_role` decide: an agency's token
    or certificate, or an operator's console session (with the CSRF header for a
    change); only an administrator's session for the admin endpoints."""
    if e.role is not None:
        return [_session(e.method)]
    if e.auth:
        return [{"agencyToken": []}, {"agencyCertificate": []}, _session(e.method)]
    if e.handler.__name__ in session_only:
        return [_session(e.method)]
    return []


def errors(e: Endpoint[Any], session_only: frozenset[str] = frozenset()) -> list[int]:
    """The problem statuses the endpoint can answer with: those it declares, and those
    the routing layer gives any endpoint declared like it."""
    implied = set(e.errors)
    requirements = security(e, session_only)
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


def build(about: About, *apis: Api[Any]) -> dict[str, Any]:
    endpoints = [e for api in apis for e in api.endpoints]
    types: list[Any] = [Problem, *about.types]
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
                                 "content": _raw_content(about.raw_bodies, e, by_type)}
        ok: dict[str, Any] = {"description": "OK"}
        if e.response is not None:
            ok["content"] = {"application/json": {"schema": by_type[e.response]}}
        elif e.ok != 204:
            ok["content"] = _raw_content(about.raw_responses, e, by_type)
        op["responses"][str(e.ok)] = ok
        if e.ok == 201 and (e.response in about.replayed or e.raw_body):
            # Sender messages are idempotent by message id: a resend gets the original.
            op["responses"]["200"] = {
                "description": "Already received: the original receipt",
                "content": ok.get("content", {}),
            }
        for status in errors(e, about.session_only):
            op["responses"][str(status)] = {
                "description": e.error_titles.get(status) or problem_title(status),
                "content": {"application/problem+json": {"schema": by_type[Problem]}},
            }
        if requirements := security(e, about.session_only):
            op["security"] = requirements
        paths.setdefault(e.path, {})[e.method.lower()] = op

    if about.paths is not None:
        paths.update(about.paths(by_type))
    return _normalised({
        "openapi": "3.1.0",
        "info": {"title": about.title, "version": about.version,
                 "description": about.description},
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


def problem_title(status: int) -> str:
    return {
        400: TITLES["malformed"], 401: TITLES["unauthenticated"], 403: TITLES["forbidden"],
        404: TITLES["not-found"], 409: TITLES["conflict"], 413: TITLES["too-large"],
        415: TITLES["unsupported-media-type"], 422: TITLES["invalid"],
        429: TITLES["throttled"], 503: TITLES["storage-unavailable"],
    }.get(status, "Error")
