"""What a CAD system asks the hub to do. The sender is never in the body: it is the
authenticated agency, so an agency can only send as itself."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from bluelight.wire.agency import AgencyId
from bluelight.wire.incident import Incident, IncidentUpdate, Reference
from bluelight.wire.transfer import Decision, Seq

MessageId = Annotated[
    uuid.UUID,
    msgspec.Meta(description="The sender's id for this message; resubmitting it is safe"),
]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class SubmitIncident(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    message_id: MessageId
    recipients: Annotated[list[AgencyId], msgspec.Meta(min_length=1, max_length=50)]
    incident: Incident


class SubmitUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    message_id: MessageId
    update: IncidentUpdate


class Closure(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    outcome: Reason
    text: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None


class SubmitClosure(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    message_id: MessageId
    closure: Closure


class SubmitCancellation(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    message_id: MessageId
    reason: Reason


class Acknowledge(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Confirms the listed mailbox entries reached the agency's system."""

    seqs: Annotated[list[Seq], msgspec.Meta(min_length=1, max_length=10_000)]


class Decide(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    decision: Decision
    reason: Reason | None = None
    operator: Annotated[str, msgspec.Meta(max_length=200)] | None = None


# For the update, closure and cancellation commands the incident is named in the path
# by the sender's own reference; this alias documents that.
IncidentReference = Reference
