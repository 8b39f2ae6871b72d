"""RFC 9457 problem details: every error a client can get, machine-readable, naming the
field and the fault."""

from __future__ import annotations

import msgspec
from starlette.responses import Response

from bluelight.kernel.errors import DomainError, FieldFault, validation_fault

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:bluelight:problem:"

TITLES = {
    "malformed": "The request body is not valid JSON",
    "too-deep": "The request body is nested too deeply",
    "bad-request": "The HTTP request could not be parsed",
    "invalid": "The request breaks a rule",
    "unauthenticated": "A valid agency credential is required",
    "bad-signature": "The message signature is missing, invalid or too old",
    "forbidden": "Not allowed for this agency",
    "not-found": "Not found",
    "conflict": "Conflicts with what is stored",
    "too-large": "The request body is too large",
    "unsupported-media-type": "The request body must be JSON",
    "storage-unavailable": "The hub could not store the message; nothing was stored",
    "internal": "Internal error; nothing was stored",
    "method-not-allowed": "Method not allowed",
    "throttled": "Too many failed sign-ins",
    "busy": "The hub is too busy to check the password now",
    "upgrade-required": "This endpoint is a WebSocket",
}


class FaultOut(msgspec.Struct):
    field: str
    fault: str


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FaultOut] = []


class ProblemError(Exception):
    """Raised by entry points for faults found before the domain is reached."""

    def __init__(self, status: int, kind: str, detail: str, faults: list[FieldFault] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.faults = faults or []
        self.headers = headers or {}


def problem(status: int, kind: str, detail: str | None, faults=(), instance: str | None = None
            ) -> Problem:
    return Problem(
        type=TYPE_BASE + kind, title=TITLES.get(kind, kind), status=status, detail=detail,
        instance=instance, errors=[FaultOut(f.field, f.fault) for f in faults],
    )


def from_domain(exc: DomainError, instance: str | None = None) -> Problem:
    return problem(exc.status, exc.kind, exc.detail, exc.faults, instance)


def response(p: Problem, headers: dict[str, str] | None = None) -> Response:
    return Response(msgspec.json.encode(p), status_code=p.status, media_type=MEDIA_TYPE,
                    headers=headers)

__all__ = ["FieldFault", "Problem", "ProblemError", "validation_fault"]
