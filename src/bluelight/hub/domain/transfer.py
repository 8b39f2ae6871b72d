"""Transfers and their lifecycle.

An incident sent to N partner agencies makes N transfers, one per recipient. Each
transfer moves stored -> delivered -> accepted | rejected; the sender may cancel it.
The sender is told of every move, and of every deadline a recipient misses.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import msgspec

from bluelight.hub.domain.incident import Incident, IncidentUpdate
from bluelight.kernel.errors import Conflict, Invalid


class TransferState(StrEnum):
    STORED = "stored"  # committed by the hub; the sender's receipt says so
    DELIVERED = "delivered"  # the recipient's system acknowledged receipt
    ACCEPTED = "accepted"  # a recipient operator took it on
    REJECTED = "rejected"  # a recipient operator declined it, with a reason
    CANCELLED = "cancelled"  # the sender withdrew it (sent in error)


class IncidentStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class OverdueStage(StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    DECISION = "decision"


class Flag(StrEnum):
    """Facts about a transfer a person should see; never silently dropped."""

    UPRN_UNKNOWN = "uprn-unknown"
    LOCATION_INCONSISTENT = "location-inconsistent"


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


class AgreementRef(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    version: int


class Transfer(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One incident offered to one recipient agency, with every lifecycle timestamp
    (seconds since the epoch, UTC)."""

    transfer_id: str
    incident_id: str
    reference: str
    sender: str
    recipient: str
    state: TransferState
    incident_status: IncidentStatus
    submitted_at: float
    stored_at: float
    delivered_at: float | None = None
    decided_at: float | None = None
    reason: str | None = None
    decided_by: str | None = None
    ack_due_at: float | None = None
    decision_due_at: float | None = None
    ack_overdue_at: float | None = None
    decision_overdue_at: float | None = None
    flags: list[Flag] = []
    # Fields lost in translation between the sender's and the recipient's standards
    # (dotted names); shown to both sides.
    losses: list[str] = []
    # The sender's own id for the message that created it (a foreign id for a message
    # in another standard): what an acknowledgement to the sender refers to.
    origin_message_id: str | None = None
    # The data-sharing agreement (id and version) the hub applied, if any, and the
    # fields it withheld from the recipient under it; both shown to the sender.
    agreement: AgreementRef | None = None
    withheld: list[str] = []

    def party(self, agency: str) -> bool:
        return agency in (self.sender, self.recipient)


class EntryKind(StrEnum):
    """What a pushed message is about."""

    INCIDENT_NEW = "incident.new"  # to a recipient: a partner's incident to accept or reject
    INCIDENT_UPDATE = "incident.update"
    INCIDENT_CLOSED = "incident.closed"
    INCIDENT_CANCELLED = "incident.cancelled"
    TRANSFER_STATUS = "transfer.status"  # to the sender: a transfer moved on
    TRANSFER_OVERDUE = "transfer.overdue"  # to the sender: phone the partner now


# Receiving one of these tells the hub the incident reached the recipient's system.
TRACKED_DELIVERY = frozenset(
    {
        EntryKind.INCIDENT_NEW,
        EntryKind.INCIDENT_UPDATE,
        EntryKind.INCIDENT_CLOSED,
        EntryKind.INCIDENT_CANCELLED,
    }
)

# SQLite stores a seq as a signed 64-bit INTEGER: a larger number cannot name an entry, and
# would fail in the store (500) instead of being refused as input (422).
SEQ_MAX = 2**63 - 1
Seq = Annotated[int, msgspec.Meta(ge=0, le=SEQ_MAX,
                                  description="Per-agency message sequence number")]


class Rendered(msgspec.Struct, kw_only=True, omit_defaults=True):
    """An entry written in the receiving agency's own standard."""

    format: str
    media_type: str | None = None
    data: str | None = None  # the document (XML or JSON) as text
    losses: list[str] = []  # what that standard could not carry
    error: str | None = None  # why it could not be written at all


class Entry(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One message in an agency's mailbox, pushed on the WebSocket or read by polling.

    `seq` orders an agency's mailbox and is never reused; `id` is stable across
    redeliveries so a client can drop a repeat."""

    agency: str
    seq: Seq
    id: str
    kind: EntryKind
    at: float
    incident_id: str
    body: Annotated[msgspec.Raw, msgspec.Meta(
        description="Depends on kind: OfferBody, UpdateBody, ClosureBody, "
                    "CancellationBody, TransferStatusBody or OverdueBody")]
    transfer_id: str | None = None
    rendered: Rendered | None = None  # the same, in the agency's own standard


class OfferBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """incident.new: a partner's incident, offered to the recipient."""

    sender: str
    sender_name: str
    incident: Incident
    flags: list[Flag] = []
    # The agreement this was shared under and the fields it withheld from you.
    agreement: AgreementRef | None = None
    withheld: list[str] = []


class UpdateBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    """incident.update: one update (its text is the update's own, never accumulated) and
    the incident as it now stands, which does not grow with the number of updates."""

    sender: str
    reference: str
    update: IncidentUpdate
    incident: Incident  # as it now stands
    agreement: AgreementRef | None = None
    withheld: list[str] = []
    # Its place in the incident's update history (UpdateRecord.version).
    version: int | None = None


class ClosureBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    sender: str
    reference: str
    outcome: str
    text: str | None = None
    withheld: list[str] = []


class CancellationBody(msgspec.Struct, kw_only=True):
    sender: str
    reference: str
    reason: str


class TransferStatusBody(msgspec.Struct, kw_only=True, omit_defaults=True):
    state: TransferState
    recipient: str
    reference: str
    reason: str | None = None
    by: str | None = None
    acknowledges: str | None = None  # when delivered: the sender's own message id


class OverdueBody(msgspec.Struct, kw_only=True):
    stage: OverdueStage
    recipient: str
    recipient_name: str
    phone: str
    reference: str
    waited_s: float
    message: str


def overdue_message(stage: OverdueStage, name: str, phone: str, waited_s: float) -> str:
    what = "acknowledged" if stage is OverdueStage.ACKNOWLEDGEMENT else "accepted or rejected"
    return f"PHONE THEM NOW: {name} has not {what} this transfer after {waited_s:.0f} s. Call {phone}."


class TimelineEvent(msgspec.Struct, kw_only=True, omit_defaults=True):
    at: float
    kind: str
    actor: str
    transfer_id: str | None = None
    detail: dict = {}


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
