"""What the hub answers: receipts and read models."""

from __future__ import annotations

import msgspec

from bluelight.domain.incident import Incident
from bluelight.domain.transfer import (
    AgreementRef,
    Entry,
    Flag,
    TimelineEvent,
    Transfer,
    TransferState,
)


class TransferReceipt(msgspec.Struct, kw_only=True, omit_defaults=True):
    transfer_id: str
    recipient: str
    state: TransferState
    # The data-sharing agreement applied and what it withheld from this recipient.
    agreement: AgreementRef | None = None
    withheld: list[str] = []


class Receipt(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Given only after the hub has committed the message to disk."""

    message_id: str
    incident_id: str
    reference: str
    kind: str
    status: str  # "stored"
    stored_at: float
    transfers: list[TransferReceipt] = []
    flags: list[Flag] = []


class TransferView(Transfer, kw_only=True, omit_defaults=True):
    """A transfer with the incident as it now stands (after any updates)."""

    incident: Incident | None = None


class Timeline(msgspec.Struct, kw_only=True):
    transfer_id: str
    events: list[TimelineEvent]


class Inbox(msgspec.Struct, kw_only=True):
    entries: list[Entry]
    next_after: int


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


class SharingPreview(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What one partner would receive of an incident, before it is sent."""

    recipient: str
    recipient_name: str
    agreement: AgreementRef | None = None  # none: only the operational minimum flows
    purpose: str | None = None
    data_classes: list[str] = []
    withheld: list[str] = []
    incident: Incident


class TransferExport(msgspec.Struct, kw_only=True):
    """One transfer as a single record for the agency's own files: the transfer, the
    incident as this agency may see it, and its timeline."""

    exported_at: float
    agency: str
    transfer: TransferView
    timeline: list[TimelineEvent]
