"""Agency credentials: bearer tokens shown once, stored only as a hash.

A token is `bl_<key id>_<secret>`. The key id finds the row; the secret is compared by
hash in constant time. The secret has 256 bits of entropy, so a fast hash (SHA-256) is
the right tool: a slow password KDF defends low-entropy secrets and would cost every
request milliseconds."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from bluelight.hub.services.ports import Repository

PREFIX = "bl_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(agency_id: str, at: float) -> tuple[str, Callable[[Repository], None]]:
    """A new token and the job that stores its hash."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = f"{PREFIX}{key_id}_{secret}"

    def job(repo: Repository) -> None:
        repo.add_credential(key_id, agency_id, hash_secret(secret), at)

    return token, job


def split(token: str) -> tuple[str, str] | None:
    if not token.startswith(PREFIX):
        return None
    key_id, sep, secret = token[len(PREFIX):].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret


def verify(repo: Repository, token: str) -> str | None:
    """The agency the token belongs to, or None."""
    parts = split(token)
    if parts is None:
        return None
    key_id, secret = parts
    row = repo.credential(key_id)
    if row is None:
        return None
    agency_id, secret_hash, revoked_at = row
    if revoked_at is not None or not hmac.compare_digest(secret_hash, hash_secret(secret)):
        return None
    return agency_id
