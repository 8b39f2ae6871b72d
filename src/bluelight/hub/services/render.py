"""Writing mailbox entries in a receiving agency's own standard.

The mailbox keeps the native entry; rendering happens on the way out, so an agency can
change its format (or a new codec can be added) without touching what is stored."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from bluelight.hub.domain.commands import Closure
from bluelight.hub.domain.stored import stored
from bluelight.hub.domain.transfer import (
    CancellationBody,
    ClosureBody,
    Entry,
    EntryKind,
    OfferBody,
    Rendered,
    TransferStatusBody,
    UpdateBody,
)
from bluelight.hub.domain.translation import Native
from bluelight.hub.services.gateway import ACK_PREFIX
from bluelight.hub.services.ports import Translator
from bluelight.hub.services.views import TransferExport
from bluelight.kernel.errors import DomainError

# Mailbox bodies are stored data: read without the input limits (domain.stored), so an
# old entry can always be rendered, whatever the limits are today.
_offer = msgspec.json.Decoder(stored(OfferBody)).decode
_update = msgspec.json.Decoder(stored(UpdateBody)).decode
_closure = msgspec.json.Decoder(stored(ClosureBody)).decode
_cancellation = msgspec.json.Decoder(stored(CancellationBody)).decode
_status = msgspec.json.Decoder(stored(TransferStatusBody)).decode


def native(entry: Entry) -> Native | None:
    """The entry as a native message, or None for hub bookkeeping (statuses, alarms)
    that has no counterpart in other standards."""
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
        try:
            message = native(entry)
        except msgspec.MsgspecError as exc:
            # One unreadable entry must not stop a whole feed (the stream would close
            # and every later entry wait behind it): say so on the entry itself.
            failed = Rendered(format=format_, error=f"the stored entry cannot be read: {exc}")
            out.append(msgspec.structs.replace(entry, rendered=failed))
            continue
        if message is None:
            out.append(entry)
            continue
        out.append(msgspec.structs.replace(entry, rendered=_written(translator, format_,
                                                                    message)))
    return out


def _written(translator: Translator, format_: str, message: Native,
             more_losses: tuple[str, ...] = ()) -> Rendered:
    try:
        translation = translator.encode(format_, message)
    except DomainError as exc:  # the standard cannot say this: tell, never drop
        return Rendered(format=format_, error=exc.detail)
    losses = [*translation.losses, *(x for x in more_losses if x not in translation.losses)]
    return Rendered(format=format_, media_type=translation.media_type,
                    data=translation.data.decode(), losses=losses)


def exported(export: TransferExport, format_: str, translator: Translator) -> Rendered:
    """An export's incident, with the update history the export carries, written in
    `format_`. A document written now, so its time is the export's. When the export
    holds only the first part of a long history, "updates" is listed as lost: the rest
    is read from the updates endpoint."""
    view = export.transfer
    message = Native(kind="incident", sender=view.sender, recipients=[view.recipient],
                     reference=view.reference, incident=view.incident,
                     updates=export.updates,
                     sent_at=datetime.fromtimestamp(export.exported_at, UTC))
    more = ("updates",) if export.updates_next_after is not None else ()
    return _written(translator, format_, message, more)
