"""Transfers, as the hub shows them, and the entries of an agency's mailbox.

An incident sent to N partner agencies makes N transfers, one per recipient. Each
transfer moves stored -> delivered -> accepted | rejected; the sender may cancel it.
The sender is told of every move (an entry in its mailbox, pushed on the WebSocket), and
of every deadline a recipient misses. The rules for those moves are the hub's
(bluelight.hub.domain.transfer); these are the shapes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

from bluelight.wire.incident import Incident, IncidentUpdate


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


class TimelineEvent(msgspec.Struct, kw_only=True, omit_defaults=True):
    at: float
    kind: str
    actor: str
    transfer_id: str | None = None
    detail: dict = {}
