"""Writing mailbox entries in a receiving agency's own standard.

The mailbox keeps the native entry; rendering happens on the way out, so an agency can
change its format (or a new codec can be added) without touching what is stored."""

from __future__ import annotations

import msgspec

from bluelight.domain.commands import Closure
from bluelight.domain.errors import DomainError
from bluelight.domain.transfer import (
    CancellationBody,
    ClosureBody,
    Entry,
    EntryKind,
    OfferBody,
    Rendered,
    TransferStatusBody,
    UpdateBody,
)
from bluelight.domain.translation import Native
from bluelight.services.gateway import ACK_PREFIX
from bluelight.services.ports import Translator

_offer = msgspec.json.Decoder(OfferBody).decode
_update = msgspec.json.Decoder(UpdateBody).decode
_closure = msgspec.json.Decoder(ClosureBody).decode
_cancellation = msgspec.json.Decoder(CancellationBody).decode
_status = msgspec.json.Decoder(TransferStatusBody).decode


def native(entry: Entry) -> Native | None:
    """The entry as a native message, or None for hub bookkeeping (statuses, alarms)
    that has no counterpart in other standards."""
    from datetime import UTC, datetime

    common = {"message_id": f"{ACK_PREFIX}{entry.id}", "recipients": [entry.agency],
              "sent_at": datetime.fromtimestamp(entry.at, UTC)}
    match entry.kind:
        case EntryKind.INCIDENT_NEW:
            offer = _offer(entry.body)
            return Native(kind="incident", sender=offer.sender, incident=offer.incident,
                          reference=offer.incident.reference, **common)
        case EntryKind.INCIDENT_UPDATE:
            body = _update(entry.body)
            return Native(kind="update", sender=body.sender, reference=body.reference,
                          update=body.update, incident=body.incident, **common)
        case EntryKind.INCIDENT_CLOSED:
            body = _closure(entry.body)
            return Native(kind="closure", sender=body.sender, reference=body.reference,
                          closure=Closure(outcome=body.outcome, text=body.text), **common)
        case EntryKind.INCIDENT_CANCELLED:
            body = _cancellation(entry.body)
            return Native(kind="cancellation", sender=body.sender, reference=body.reference,
                          reason=body.reason, **common)
        case EntryKind.TRANSFER_STATUS:
            # "Delivered" is the recipient system's acknowledgement of the sender's
            # message; standards that have acknowledgements get one naming it.
            body = _status(entry.body)
            if body.acknowledges:
                return Native(kind="acknowledgement", sender=body.recipient,
                              reference=body.reference, acknowledges=body.acknowledges,
                              **common)
    return None


def rendered(entries: list[Entry], format_: str, translator: Translator) -> list[Entry]:
    """The entries with `rendered` filled in for `format_` (bluelight's own: unchanged)."""
    if format_ == "bluelight":
        return entries
    out = []
    for entry in entries:
        message = native(entry)
        if message is None:
            out.append(entry)
            continue
        try:
            translation = translator.encode(format_, message)
            extra = Rendered(format=format_, media_type=translation.media_type,
                             data=translation.data.decode(), losses=translation.losses)
        except DomainError as exc:  # the standard cannot say this: tell, never drop
            extra = Rendered(format=format_, error=exc.detail)
        out.append(msgspec.structs.replace(entry, rendered=extra))
    return out
