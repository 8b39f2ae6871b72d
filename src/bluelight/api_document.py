"""The OpenAPI document of this server: the hub's API, its administration, the console
and the workbench's APIs, and the WebSocket stream beside them. `/openapi.json` serves
it, `bluelight openapi` prints it and `make docs` commits it (docs/openapi.json); the
machinery that writes it is the kernel's (`kernel.openapi`)."""

from __future__ import annotations

from typing import Any

from bluelight import __version__
from bluelight.hub.entrypoints import admin_api, console
from bluelight.hub.entrypoints.api import Acknowledged, api
from bluelight.kernel.openapi import About, build, problem_title
from bluelight.kernel.problems import TITLES, Problem
from bluelight.wire.agency import MessageFormat
from bluelight.wire.transfer import SEQ_MAX
from bluelight.wire.views import Receipt
from bluelight.workbench.entrypoints import apis as workbench_apis

DESCRIPTION = """\
Multi-Agency Incident Transfer (MAIT) hub. A control room's CAD system sends an incident
to partner agencies; each partner's system acknowledges receipt (delivered) and its
operator accepts or rejects it. The sender is told of every step, and told to phone the
partner if a deadline passes. Authenticate with `Authorization: Bearer <agency token>`.
Errors are RFC 9457 problem details (`application/problem+json`) naming the field and
the fault. The WebSocket stream at `/v1/stream` pushes the same mailbox entries that
`GET /v1/inbox` returns; see docs/integrator-guide.md."""

_TEXT = {"type": "string"}
_SVG = {"image/svg+xml": _TEXT}


def _stream(by_type: dict[Any, dict]) -> dict[str, dict]:
    """The WebSocket stream, which is no declared endpoint."""
    problem = {"application/problem+json": {"schema": by_type[Problem]}}
    return {"/v1/stream": {
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
                 "schema": {"type": "integer", "minimum": 0, "maximum": SEQ_MAX}},
                {"name": "format", "in": "query", "required": False,
                 "description": "Also write each entry in this standard (`rendered`); "
                                "default: your agency's configured one",
                 "schema": by_type[MessageFormat]},
            ],
            "security": [{"agencyToken": []}, {"agencyCertificate": []},
                         {"consoleSession": []}],
            "responses": {
                "101": {"description": "Switching protocols"},
                **{str(status): {"description": problem_title(status), "content": problem}
                   for status in (401, 403, 422)},
                "426": {"description": TITLES["upgrade-required"] +
                        " (a request without the WebSocket upgrade)", "content": problem},
            },
        }
    }}


ABOUT = About(
    title="bluelight hub API", version=__version__, description=DESCRIPTION,
    types=(MessageFormat, Receipt, Acknowledged),
    raw_bodies={
        # NENA EIDO and EDXL-DE in JSON, CAP and MAIT in XML, the hub's own JSON.
        "receive_message": {"application/json": {"type": "object"}, "application/xml": _TEXT},
        "import_csv": {"text/csv": _TEXT},
    },
    raw_responses={
        "receive_message": {"application/json": (Receipt, Acknowledged)},
        "register_report_html": {"text/html": _TEXT},
        "register_report_csv": {"text/csv": _TEXT},
        "assessments_radar": _SVG, "compare_years_radar": _SVG,
        "compare_respondents_radar": _SVG, "assessment_radar": _SVG,
    },
    # The console's endpoints that take the session cookie themselves (auth=False).
    session_only=frozenset({"current_session", "sign_out"}),
    replayed=(Receipt,),
    paths=_stream,
)


def document() -> dict[str, Any]:
    """The server's whole API."""
    return build(ABOUT, api, admin_api.api, console.api, *workbench_apis())
