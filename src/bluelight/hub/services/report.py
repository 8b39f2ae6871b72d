"""Transfer performance: per agency pair, and the control-room time saved.

Time saved is counted per decided transfer as the phone baseline minus the time the
electronic transfer took from submission to decision, floored at zero: a transfer that
took longer than a phone call saved nothing, and is not counted as a loss either."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bluelight.hub.domain.transfer import DECIDED, Transfer, TransferState
from bluelight.wire.stats import HourlyCount, PairStats, ReasonCount, Stats


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (the common 'type 7' definition)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 4)


def _deliver_times(ts: Iterable[Transfer]) -> list[float]:
    return [t.delivered_at - t.submitted_at for t in ts if t.delivered_at is not None]


def _decide_times(ts: Iterable[Transfer]) -> list[float]:
    return [t.decided_at - t.submitted_at for t in ts if t.decided_at is not None]


def stats(transfers: list[Transfer], phone_baseline_s: float) -> Stats:
    pairs: dict[tuple[str, str], list[Transfer]] = defaultdict(list)
    for t in transfers:
        pairs[(t.sender, t.recipient)].append(t)
    rows = []
    for (sender, recipient), ts in sorted(pairs.items()):
        deliver, decide = _deliver_times(ts), _decide_times(ts)
        rows.append(
            PairStats(
                sender=sender, recipient=recipient, transfers=len(ts),
                accepted=sum(t.state is TransferState.ACCEPTED for t in ts),
                rejected=sum(t.state is TransferState.REJECTED for t in ts),
                overdue=sum(bool(t.ack_overdue_at or t.decision_overdue_at) for t in ts),
                deliver_p50_s=percentile(deliver, 0.5), deliver_p90_s=percentile(deliver, 0.9),
                decide_p50_s=percentile(decide, 0.5), decide_p90_s=percentile(decide, 0.9),
            )
        )
    deliver, decide = _deliver_times(transfers), _decide_times(transfers)
    saved = sum(max(0.0, phone_baseline_s - d) for d in decide)
    hourly: dict[tuple[float, str, str], int] = defaultdict(int)
    for t in transfers:
        hourly[(t.submitted_at - t.submitted_at % 3600, t.sender, t.recipient)] += 1
    reasons: dict[str, int] = defaultdict(int)
    for t in transfers:
        if t.state is TransferState.REJECTED and t.reason:
            reasons[t.reason] += 1
    return Stats(
        pairs=rows, transfers=len(transfers),
        decided=sum(t.state in DECIDED for t in transfers),
        deliver_p50_s=percentile(deliver, 0.5), deliver_p90_s=percentile(deliver, 0.9),
        decide_p50_s=percentile(decide, 0.5), decide_p90_s=percentile(decide, 0.9),
        phone_baseline_s=phone_baseline_s, time_saved_s=round(saved, 1),
        time_saved_hours=round(saved / 3600, 2),
        overdue=sum(bool(t.ack_overdue_at or t.decision_overdue_at) for t in transfers),
        hourly=[HourlyCount(hour=h, sender=s, recipient=r, transfers=n)
                for (h, s, r), n in sorted(hourly.items())],
        rejections=[ReasonCount(reason=reason, count=n)
                    for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))],
    )
