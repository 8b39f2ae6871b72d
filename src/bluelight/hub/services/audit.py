"""Writing the audit log: every change, in the same transaction as the change, and
every read of incident data.

Who acted is set once per request by the entry point (`acting`) rather than passed
through every use case: a console operator, an agency's system, an administrator, the
command line or the hub itself."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

from bluelight.hub.domain.audit import AuditRecord, Verification, link, verify
from bluelight.hub.services.ports import Repository

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("actor", default=None)


@contextlib.contextmanager
def acting(actor: str) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(actor: str) -> None:
    """For entry points whose whole task acts for one caller (a WebSocket session)."""
    _actor.set(actor)


def actor(default: str) -> str:
    return _actor.get() or default


def record(repo: Repository, at: float, actor: str, action: str, **fields) -> AuditRecord:
    entry = link(repo.audit_head(), at=at, actor=actor, action=action, **fields)
    repo.add_audit(entry)
    return entry


def recorded(job: Callable[[Repository], object], at: Callable[[], float], actor: str,
             action: str, **fields) -> Callable[[Repository], object]:
    """`job`, followed in the same transaction by its audit record."""

    def audited(repo: Repository):
        result = job(repo)
        record(repo, at(), actor, action, **fields)
        return result

    return audited


def check(repo: Repository, witness: tuple[int, str] | None = None) -> Verification:
    return verify(repo.audit_records(), witness)
