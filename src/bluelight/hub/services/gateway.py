"""Messages in other standards: translate them, then do exactly what the native API does.

The translation's own losses (foreign fields with no native home) are recorded with the
raw message; what the recipient's standard cannot carry is recorded on its transfer.
Both sides see both."""

from __future__ import annotations

import re
import uuid

import msgspec

from bluelight.hub.domain.agency import AGENCY_ID_PATTERN
from bluelight.hub.domain.commands import (
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)
from bluelight.hub.domain.translation import Native
from bluelight.kernel.errors import FieldFault, Invalid, validation_fault

_AGENCY_ID = re.compile(AGENCY_ID_PATTERN)
ACK_PREFIX = "bluelight:"  # message ids the hub gives what it sends: bluelight:<agency>/<seq>


def message_uuid(sender: str, foreign_id: str | None) -> uuid.UUID:
    """A stable UUID for a foreign message id, so that resending it is idempotent."""
    if not foreign_id:
        return uuid.uuid4()
    try:
        return uuid.UUID(foreign_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"bluelight:{sender}:{foreign_id}")


def revalidated(value: msgspec.Struct, path: str):
    """Codecs build structs directly, which skips msgspec's constraints; check them now,
    so a translated message meets every rule a native one does."""
    try:
        return msgspec.json.decode(msgspec.json.encode(value), type=type(value))
    except msgspec.ValidationError as exc:
        fault = validation_fault(str(exc))
        field = f"{path}.{fault.field}" if fault.field != "(body)" else path
        raise Invalid(f"{field}: {fault.fault}", [FieldFault(field, fault.fault)]) from None


def _require(value, field: str, kind: str):
    if value is None:
        raise Invalid(f"{field}: a {kind} message must carry it", [FieldFault(field, "missing")])
    return value


def check_sender(native: Native, agency: str) -> None:
    """An agency sends only as itself, in any standard: a message that names a bluelight
    agency as its sender must name the authenticated one. (Foreign-style names, such as
    an e-mail address in a CAP alert, are not agency ids and are left alone.)"""
    if native.sender and _AGENCY_ID.match(native.sender) and native.sender != agency:
        raise Invalid(f"sender: the message says it is from {native.sender}, but the "
                      f"credential is {agency}'s",
                      [FieldFault("sender", "not the authenticated agency")])


def submission(native: Native, sender: str) -> SubmitIncident:
    if not native.recipients:
        raise Invalid("recipients: the message is addressed to nobody",
                      [FieldFault("recipients", "no recipient")])
    incident = revalidated(_require(native.incident, "incident", "incident"), "incident")
    return SubmitIncident(message_id=message_uuid(sender, native.message_id),
                          recipients=list(native.recipients), incident=incident)


def follow_up(native: Native, sender: str):
    """(reference, command) for an update, closure or cancellation."""
    reference = _require(native.reference, "reference", native.kind)
    message_id = message_uuid(sender, native.message_id)
    if native.kind == "update":
        update = revalidated(_require(native.update, "update", "update"), "update")
        return reference, SubmitUpdate(message_id=message_id, update=update)
    if native.kind == "closure":
        closure = revalidated(_require(native.closure, "closure", "closure"), "closure")
        return reference, SubmitClosure(message_id=message_id, closure=closure)
    reason = _require(native.reason, "reason", "cancellation")
    return reference, SubmitCancellation(message_id=message_id, reason=reason)


def acknowledged_seq(native: Native, agency: str) -> int:
    """The mailbox entry an acknowledgement refers to: one the hub sent this agency."""
    target = _require(native.acknowledges, "acknowledges", "acknowledgement")
    owner, _, seq = target.removeprefix(ACK_PREFIX).rpartition("/")
    if not target.startswith(ACK_PREFIX) or owner != agency or not seq.isdigit():
        raise Invalid("acknowledges: not a message the hub sent you",
                      [FieldFault("acknowledges", "unknown message id")])
    return int(seq)
