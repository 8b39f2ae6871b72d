"""The hub's measured figures (`GET /v1/stats`): what the collaboration workbench reads
of the hub, through its own port, to show live benefits."""

from __future__ import annotations

import msgspec


class PairStats(msgspec.Struct, kw_only=True):
    sender: str
    recipient: str
    transfers: int
    accepted: int
    rejected: int
    overdue: int
    deliver_p50_s: float | None
    deliver_p90_s: float | None
    decide_p50_s: float | None
    decide_p90_s: float | None


class HourlyCount(msgspec.Struct, kw_only=True):
    hour: float  # start of the hour, epoch seconds (UTC)
    sender: str
    recipient: str
    transfers: int


class ReasonCount(msgspec.Struct, kw_only=True):
    reason: str
    count: int


class Stats(msgspec.Struct, kw_only=True):
    pairs: list[PairStats]
    transfers: int
    decided: int
    deliver_p50_s: float | None
    deliver_p90_s: float | None
    decide_p50_s: float | None
    decide_p90_s: float | None
    phone_baseline_s: float
    time_saved_s: float
    time_saved_hours: float
    overdue: int = 0
    hourly: list[HourlyCount] = []
    rejections: list[ReasonCount] = []
