"""The hub-wide rules a hub operator can set."""

from __future__ import annotations

import msgspec


class Policy(msgspec.Struct, kw_only=True, frozen=True):
    ack_deadline_s: float = 30.0  # recipient system must acknowledge within this
    decision_deadline_s: float = 120.0  # recipient operator must decide within this
    reject_unknown_uprn: bool = False  # otherwise flag the transfer and carry on
    phone_baseline_s: float = 240.0  # a phoned transfer (Audit Wales 2022, para 50)
    session_idle_s: float = 30 * 60.0  # a console session ends after this long unused
    session_max_s: float = 12 * 3600.0  # and this long after sign-in (a long shift)
    require_signatures: bool = False  # every agency must sign its messages (JWS)
    signature_window_s: float = 300.0  # a signature older than this is a replay
