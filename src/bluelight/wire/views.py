"""What the hub answers: receipts and read models, as the hub's services build them and
the SDK decodes them."""

from __future__ import annotations

import msgspec

from bluelight.wire.incident import Incident, UpdateRecord
from bluelight.wire.transfer import (
    AgreementRef,
    Entry,
    Flag,
    Rendered,
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


class UpdateSummary(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The incident's update history in brief: how many updates, the latest few, and
    where to read them all a page at a time."""

    count: int
    latest: list[UpdateRecord] = []  # the last few (at most 5), oldest first
    href: str  # GET /v1/transfers/{transfer_id}/updates: every update, a page at a time
    withheld: list[str] = []  # "update.text" when the agreement withholds the texts


class TransferView(Transfer, kw_only=True, omit_defaults=True):
    """A transfer with the incident as it now stands (after any updates) and, once there
    are updates, a summary of its update history."""

    incident: Incident | None = None
    updates: UpdateSummary | None = None


class UpdatePage(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A page of the incident's update history, oldest first."""

    transfer_id: str
    count: int  # updates the incident has had in all
    updates: list[UpdateRecord]
    # Pass as `after` for the next page; absent on the last page.
    next_after: int | None = None
    withheld: list[str] = []  # "update.text" when the agreement withholds the texts


class Timeline(msgspec.Struct, kw_only=True, omit_defaults=True):
    transfer_id: str
    events: list[TimelineEvent]
    # Pass as `after` for the next page; absent on the last page.
    next_after: int | None = None


class Inbox(msgspec.Struct, kw_only=True):
    entries: list[Entry]
    next_after: int


class SharingPreview(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What one partner would receive of an incident, before it is sent."""

    recipient: str
    recipient_name: str
    agreement: AgreementRef | None = None  # none: only the operational minimum flows
    purpose: str | None = None
    data_classes: list[str] = []
    withheld: list[str] = []
    incident: Incident


class TransferExport(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One transfer as a single record for the agency's own files: the transfer, the
    incident as this agency may see it, its timeline and its update history. An answer
    stays bounded: past the first 1,000 timeline events or 200 updates, the `*_next_after`
    cursors say where the timeline and updates endpoints carry on."""

    exported_at: float
    agency: str
    transfer: TransferView
    timeline: list[TimelineEvent]
    timeline_next_after: int | None = None
    updates: list[UpdateRecord] = []  # oldest first
    updates_next_after: int | None = None
    # The incident and the updates above written in a standard (`?format=`, or the
    # agency's own), with what that standard could not carry.
    rendered: Rendered | None = None
