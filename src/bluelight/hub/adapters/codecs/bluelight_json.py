"""bluelight's own JSON (the /v1 API's SubmitIncident), as a codec: lossless for an
incident (an export's update history has no place in a submission)."""

from __future__ import annotations

import uuid

import msgspec

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.domain.commands import SubmitIncident
from bluelight.kernel.errors import FieldFault, validation_fault

FORMAT = "bluelight"
MEDIA_TYPE = "application/json"
_decode = msgspec.json.Decoder(SubmitIncident).decode


def decode(data: bytes) -> Translation:
    try:
        command = _decode(data)
    except msgspec.ValidationError as exc:
        fault = validation_fault(str(exc))
        raise CodecError(FORMAT, f"{fault.field}: {fault.fault}", [fault]) from None
    except msgspec.DecodeError as exc:
        raise CodecError(FORMAT, f"not valid JSON: {exc}",
                         [FieldFault("(document)", "not valid JSON")]) from None
    return Translation(native=Native(
        kind="incident", message_id=str(command.message_id), recipients=command.recipients,
        reference=command.incident.reference, incident=command.incident,
        sent_at=command.incident.created_at))


def encode(native: Native) -> Translation:
    if native.kind != "incident" or native.incident is None:
        raise CodecError(FORMAT, f"only incidents can be written as a submission, not "
                         f"{native.kind}", [FieldFault("kind", "not an incident")])
    try:
        message_id = uuid.UUID(native.message_id) if native.message_id else uuid.uuid4()
    except ValueError:
        # A foreign id that is not a UUID: derive a stable one, so resubmission is idempotent.
        message_id = uuid.uuid5(uuid.NAMESPACE_URL, native.message_id)
    command = SubmitIncident(message_id=message_id, recipients=native.recipients or [],
                             incident=native.incident)
    # A submission starts a new incident: it has no place for an update history.
    return Translation(data=msgspec.json.encode(command), media_type=MEDIA_TYPE,
                       losses=["updates"] if native.updates else [])
