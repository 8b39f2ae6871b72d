"""Transfers and their lifecycle: the rules of each move and the timeline.

An incident sent to N partner agencies makes N transfers, one per recipient. Each
transfer moves stored -> delivered -> accepted | rejected; the sender may cancel it.
The sender is told of every move, and of every deadline a recipient misses. The types
are the wire's (bluelight.wire.transfer), the one schema the hub and the SDK share.
"""

from __future__ import annotations

from typing import Literal

from bluelight.kernel.errors import Conflict, Invalid
from bluelight.wire.transfer import (
    SEQ_MAX,
    AgreementRef,
    CancellationBody,
    ClosureBody,
    Decision,
    Entry,
    EntryKind,
    Flag,
    IncidentStatus,
    OfferBody,
    OverdueBody,
    OverdueStage,
    Rendered,
    Seq,
    TimelineEvent,
    Transfer,
    TransferState,
    TransferStatusBody,
    UpdateBody,
)

# The wire types are re-exported so the server's imports of this module keep working.
__all__ = [
    "DECIDED", "FINAL", "SEQ_MAX", "TRACKED_DELIVERY", "AgreementRef", "CancellationBody",
    "ClosureBody", "Decision", "Entry", "EntryKind", "Flag", "IncidentStatus", "OfferBody",
    "OverdueBody", "OverdueStage", "Rendered", "Role", "Seq", "TimelineEvent", "Transfer",
    "TransferState", "TransferStatusBody", "UpdateBody", "can_cancel", "lifecycle_events",
    "on_acknowledged", "on_decision", "overdue_message", "timeline",
]

DECIDED = frozenset({TransferState.ACCEPTED, TransferState.REJECTED})
FINAL = DECIDED | {TransferState.CANCELLED}


def on_acknowledged(state: TransferState) -> TransferState | None:
    """The state after the recipient's system acknowledges; None means no change."""
    return TransferState.DELIVERED if state is TransferState.STORED else None


def on_decision(state: TransferState, decision: Decision, reason: str | None) -> TransferState:
    """Check and apply an operator's decision. A decision implies delivery, so one made
    on a transfer still 'stored' (the system never acked) is allowed."""
    if state is TransferState.CANCELLED:
        raise Conflict("the sender cancelled this transfer")
    if state in DECIDED:
        raise Conflict(f"this transfer was already {state.value}")
    if decision is Decision.REJECTED and not (reason and reason.strip()):
        raise Invalid.field("reason", "a rejection needs a reason")
    return TransferState(decision.value)


def can_cancel(state: TransferState) -> bool:
    return state is not TransferState.CANCELLED


# Receiving one of these tells the hub the incident reached the recipient's system.
TRACKED_DELIVERY = frozenset(
    {
        EntryKind.INCIDENT_NEW,
        EntryKind.INCIDENT_UPDATE,
        EntryKind.INCIDENT_CLOSED,
        EntryKind.INCIDENT_CANCELLED,
    }
)


def overdue_message(stage: OverdueStage, name: str, phone: str, waited_s: float) -> str:
    what = "acknowledged" if stage is OverdueStage.ACKNOWLEDGEMENT else "accepted or rejected"
    return f"PHONE THEM NOW: {name} has not {what} this transfer after {waited_s:.0f} s. Call {phone}."


Role = Literal["sent", "received"]


def lifecycle_events(t: Transfer) -> list[TimelineEvent]:
    """The steps every transfer records in its own timestamps. They are not written to
    the event log a second time; the timeline merges them with the logged events
    (updates, closures, cancellations, deliveries of those, overdue alarms)."""
    events = [
        TimelineEvent(at=t.submitted_at, kind="submitted", actor=t.sender, transfer_id=None,
                      detail={"recipient": t.recipient, "flags": [f.value for f in t.flags]}),
        TimelineEvent(at=t.stored_at, kind="stored", actor="hub", transfer_id=t.transfer_id,
                      detail={"recipient": t.recipient}),
    ]
    if t.delivered_at is not None:
        events.append(TimelineEvent(at=t.delivered_at, kind="delivered", actor=t.recipient,
                                    transfer_id=t.transfer_id))
    if t.decided_at is not None and t.state in DECIDED:
        detail = {"operator": t.decided_by} | ({"reason": t.reason} if t.reason else {})
        events.append(TimelineEvent(at=t.decided_at, kind=t.state.value, actor=t.recipient,
                                    transfer_id=t.transfer_id, detail=detail))
    return events


def timeline(t: Transfer, logged: list[TimelineEvent], *, first: bool = True,
             until: float | None = None) -> list[TimelineEvent]:
    """Everything that happened to one transfer, in time order, or one page of it.

    A page holds a run of logged events; the transfer's own steps go on the page whose
    span of time they fall in: from the first logged event (or the very start, on the
    first page) up to `until`, the time of the next page's first event (for ever on the
    last page). So paging through shows each step once, in order."""
    start = None if first else (logged[0].at if logged else None)
    steps = [e for e in lifecycle_events(t)
             if (first or (start is not None and e.at >= start))
             and (until is None or e.at < until)]
    return sorted([*steps, *logged], key=lambda e: e.at)
