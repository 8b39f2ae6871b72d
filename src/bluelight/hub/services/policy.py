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
    # Console sign-in (services.throttle, services.hashing): failures allowed per
    # username and per client address before pauses of signin_backoff_s, doubling with
    # each further failure up to signin_backoff_max_s; every refusal answered no sooner
    # than signin_refusal_delay_s after the request arrived; at most signin_queue
    # password checks waiting for the hashing thread.
    signin_user_failures: int = 5
    signin_address_failures: int = 20
    signin_backoff_s: float = 1.0
    signin_backoff_max_s: float = 900.0
    signin_refusal_delay_s: float = 1.0
    signin_queue: int = 8
