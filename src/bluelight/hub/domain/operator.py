"""Control-room operators: the people who use the console. Each belongs to one agency
and sees only that agency's traffic."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"
Username = Annotated[str, msgspec.Meta(pattern=USERNAME_PATTERN,
                                       description="Lower-case sign-in name")]


class Role(StrEnum):
    OPERATOR = "operator"  # works the console: sends, receives, decides
    ADMIN = "admin"  # also manages agencies, agreements and credentials (audited)


class Operator(msgspec.Struct, frozen=True, kw_only=True):
    username: Username
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    agency: str
    role: Role = Role.OPERATOR


class Session(msgspec.Struct, kw_only=True):
    """A signed-in console session. The cookie holds a random token; only its hash is
    stored. `csrf` must accompany every state-changing request made with the cookie."""

    token_hash: str
    username: str
    name: str
    agency: str
    csrf: str
    created_at: float
    last_seen_at: float
    expires_at: float
    role: str = "operator"

    def expired(self, now: float, idle_s: float) -> bool:
        return now >= self.expires_at or now - self.last_seen_at >= idle_s
