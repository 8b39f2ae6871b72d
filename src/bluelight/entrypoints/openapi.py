"""The OpenAPI 3.1 document, generated from the endpoint declarations and the msgspec
types: there is no second, hand-written copy of any schema."""

from __future__ import annotations

import inspect
import re
from typing import Any

import msgspec

from bluelight import __version__
from bluelight.domain.transfer import SEQ_MAX
from bluelight.entrypoints.problems import TITLES, Problem
from bluelight.entrypoints.routing import Api
from bluelight.services.views import Receipt

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


def build(*apis: Api) -> dict[str, Any]:
    endpoints = [e for api in apis for e in api.endpoints]
    types: list[Any] = [Problem]
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
            {"name": p.name, "in": "query", "required": False, "description": p.description,
             "schema": by_type[p.type]}
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
        ok: dict[str, Any] = {"description": "OK"}
        if e.response is not None:
            ok["content"] = {"application/json": {"schema": by_type[e.response]}}
        op["responses"][str(e.ok)] = ok
        if e.ok == 201 and (e.response is Receipt or e.raw_body):
            # Sender messages are idempotent by message id: a resend gets the original.
            op["responses"]["200"] = {
                "description": "Already received: the original receipt",
                "content": ok.get("content", {}),
            }
        for status in e.errors:
            op["responses"][str(status)] = {
                "description": _problem_title(status),
                "content": {"application/problem+json": {"schema": by_type[Problem]}},
            }
        if e.auth:
            op["security"] = [{"agencyToken": []}]
        paths.setdefault(e.path, {})[e.method.lower()] = op

    paths["/v1/stream"] = {
        "get": {
            "operationId": "stream",
            "summary": "WebSocket: pushed mailbox entries, and commands",
            "tags": ["receiving"],
            "description": "Upgrade to WebSocket. Query `after` = last seq seen. "
                           "See docs/integrator-guide.md for the frames.",
            "parameters": [{"name": "after", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 0,
                                       "maximum": SEQ_MAX}}],
            "security": [{"agencyToken": []}],
            "responses": {"101": {"description": "Switching protocols"},
                          "401": {"description": TITLES["unauthenticated"]},
                          "422": {"description": TITLES["invalid"]},
                          "426": {"description": TITLES["upgrade-required"] +
                                  " (a request without the WebSocket upgrade)"}},
        }
    }
    return _normalised({
        "openapi": "3.1.0",
        "info": {"title": "bluelight hub API", "version": __version__,
                 "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "agencyToken": {"type": "http", "scheme": "bearer",
                                "description": "The agency token from `bluelight agency add`"}
            },
        },
    })


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
        503: TITLES["storage-unavailable"],
    }.get(status, "Error")


def document() -> dict[str, Any]:
    """The hub's whole API: what `/openapi.json` serves and `bluelight openapi` prints."""
    from bluelight.entrypoints import admin_api, console
    from bluelight.entrypoints.api import api
    from bluelight.entrypoints.workbench import apis as workbench_apis

    return build(api, admin_api.api, console.api, *workbench_apis())
