"""Typed access to an entry's body, chosen by its kind."""

from __future__ import annotations

import msgspec

from bluelight.wire.stored import stored
from bluelight.wire.transfer import (
    CancellationBody,
    ClosureBody,
    Entry,
    EntryKind,
    OfferBody,
    OverdueBody,
    TransferStatusBody,
    UpdateBody,
)

# A body is what the hub stored and pushed: read it without the input limits, so an entry
# written under other limits than today's still reads (bluelight.wire.stored).
_DECODERS = {
    EntryKind.INCIDENT_NEW: msgspec.json.Decoder(stored(OfferBody)),
    EntryKind.INCIDENT_UPDATE: msgspec.json.Decoder(stored(UpdateBody)),
    EntryKind.INCIDENT_CLOSED: msgspec.json.Decoder(stored(ClosureBody)),
    EntryKind.INCIDENT_CANCELLED: msgspec.json.Decoder(stored(CancellationBody)),
    EntryKind.TRANSFER_STATUS: msgspec.json.Decoder(stored(TransferStatusBody)),
    EntryKind.TRANSFER_OVERDUE: msgspec.json.Decoder(stored(OverdueBody)),
}


def body_of(entry: Entry):
    return _DECODERS[entry.kind].decode(entry.body)
