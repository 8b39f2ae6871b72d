"""Domain errors. Entry points turn them into RFC 9457 problem details."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldFault:
    """One fault in a request: the JSON path of the field and what is wrong with it."""

    field: str
    fault: str


class DomainError(Exception):
    """Base class. `kind` selects the problem type; `faults` name fields."""

    kind = "invalid"
    status = 422

    def __init__(self, detail: str, faults: list[FieldFault] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.faults = faults or []


class Invalid(DomainError):
    """The request is well-formed but breaks a rule (unknown recipient, bad UPRN...)."""

    kind = "invalid"
    status = 422

    @classmethod
    def field(cls, field: str, fault: str) -> Invalid:
        return cls(f"{field}: {fault}", [FieldFault(field, fault)])


class NotFound(DomainError):
    """Absent, or not visible to the caller: the two are indistinguishable on purpose."""

    kind = "not-found"
    status = 404


class Forbidden(DomainError):
    """Visible to the caller, but not theirs to change (e.g. a sender deciding its own)."""

    kind = "forbidden"
    status = 403


class Conflict(DomainError):
    """The request contradicts stored state (e.g. a reused message id with other content)."""

    kind = "conflict"
    status = 409


@dataclass
class Faults:
    """Collects several field faults so a client sees them all at once."""

    items: list[FieldFault] = field(default_factory=list)

    def add(self, field: str, fault: str) -> None:
        self.items.append(FieldFault(field, fault))

    def raise_if_any(self) -> None:
        if self.items:
            detail = "; ".join(f"{f.field}: {f.fault}" for f in self.items)
            raise Invalid(detail, list(self.items))


_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_PATTERN = re.compile(r"^Expected `str` matching regex '(?P<pattern>.*)'$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`")
_UNKNOWN = re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`")


def validation_fault(message: str) -> FieldFault:
    """Turn msgspec's 'Expected `int`, got `str` - at `$.a.b[0]`' into field + fault."""
    path = ""
    if m := _AT.search(message):
        path = m.group("path").lstrip(".")
        message = message[: m.start()]
    if m := _MISSING.match(message):
        path = f"{path}.{m.group('name')}" if path else m.group("name")
        message = "is required"
    elif m := _UNKNOWN.match(message):
        path = f"{path}.{m.group('name')}" if path else m.group("name")
        message = "is not a known field"
    elif m := _PATTERN.match(message):
        message = f"is not in the required format (pattern {m.group('pattern')})"
    return FieldFault(path or "(body)", message)


class StorageUnavailable(Exception):
    """The store could not do the job (disk full, I/O error, a lost primary...): nothing
    of it was stored. Raised by any store adapter; HTTP answers 503 with Retry-After."""

    retry_after = 1  # seconds a client should wait before trying again
