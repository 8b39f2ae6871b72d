"""Messages in other standards: the native form every codec decodes to and encodes from,
and what a translation could not carry."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from bluelight.hub.domain.commands import Closure
from bluelight.hub.domain.incident import Incident, IncidentUpdate, UpdateRecord
from bluelight.kernel.errors import FieldFault, Invalid

Kind = Literal["incident", "update", "closure", "cancellation", "acknowledgement"]


class Native(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One message in bluelight's own terms, whatever standard it came in or goes out in.

    `sender` and `recipients` are the identifiers the foreign message used when they
    cannot be mapped to bluelight agency ids (the hub maps them on submission)."""

    kind: Kind
    message_id: str | None = None  # the foreign message's id, kept for idempotency
    sender: str | None = None
    recipients: list[str] = []
    sent_at: datetime | None = None
    reference: str | None = None  # the sender's incident reference (case id)
    incident: Incident | None = None  # kind == "incident" (and, as it stands, updates)
    update: IncidentUpdate | None = None  # kind == "update"
    closure: Closure | None = None  # kind == "closure"
    reason: str | None = None  # kind == "cancellation"
    acknowledges: str | None = None  # kind == "acknowledgement": the message id acked
    # kind == "incident", in an export: the incident's update history (or a page of it),
    # oldest first. A standard with no place for it lists it as a loss.
    updates: list[UpdateRecord] = []


class Translation(msgspec.Struct, kw_only=True):
    """The result of a decode (native set) or an encode (data set), and what was lost:
    dotted names of fields the target could not carry, e.g. "incident.methane.access"."""

    native: Native | None = None
    data: bytes | None = None
    media_type: str | None = None
    losses: list[str] = []


class CodecError(Invalid):
    """The input is not a valid message of the format. `faults` name where and why."""

    def __init__(self, format_: str, detail: str, faults: list[FieldFault] | None = None):
        super().__init__(f"{format_}: {detail}", faults)  # .detail names the format
        self.format = format_
        self.reason = detail
