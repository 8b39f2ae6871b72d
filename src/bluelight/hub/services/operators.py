"""Console operators: accounts, sign-in and sessions.

Passwords are hashed with Argon2id (argon2-cffi, the OWASP-recommended KDF). Sessions are
kept server side: the cookie carries a random token, the database only its SHA-256, and
a session ends after `idle_s` without use or `max_s` after sign-in, whichever is first.
Each session has its own CSRF token, which every state-changing request made with the
cookie must echo in a header."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bluelight.hub.domain.operator import Operator, Session
from bluelight.hub.services import audit
from bluelight.hub.services.ports import Repository
from bluelight.kernel.errors import Conflict, Invalid, NotFound

_hasher = PasswordHasher()
# Verified against when the username is unknown, so that a wrong username costs the same
# time as a wrong password and does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Invalid.field("password", f"must be at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def add(operator: Operator, password_hash: str, at: float,
        by: str = "cli") -> Callable[[Repository], None]:
    def job(repo: Repository) -> None:
        if repo.agency(operator.agency) is None:
            raise NotFound(f"no agency {operator.agency}")
        if repo.operator(operator.username) is not None:
            raise Conflict(f"operator {operator.username} already exists")
        repo.add_operator(operator, password_hash, at)
        audit.record(repo, at, by, "operator.added", agency=operator.agency,
                     detail={"username": operator.username, "role": operator.role.value})

    return job


def verify(found: tuple[Operator, str, float | None] | None, password: str
           ) -> Operator | None:
    """The operator if the password is right and the account is enabled. `found` is
    what `Repository.operator` returned. Slow on purpose (Argon2): the hub runs it on
    its hashing thread (`services.hashing`), never on the event loop or a reader.

    An unknown username is checked against a dummy hash of the same cost, so it takes
    as long as a wrong password and gives the same answer."""
    stored = found[1] if found else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if found is None or found[2] is not None:
        return None
    return found[0]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(operator: Operator, now: float, max_s: float) -> tuple[str, Session]:
    token = secrets.token_urlsafe(32)
    session = Session(
        token_hash=token_hash(token), username=operator.username, name=operator.name,
        agency=operator.agency, csrf=secrets.token_urlsafe(24), created_at=now,
        last_seen_at=now, expires_at=now + max_s, role=operator.role.value,
    )
    return token, session


def csrf_ok(session: Session, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(session.csrf, presented)
