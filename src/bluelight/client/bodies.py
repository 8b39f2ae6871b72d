"""Typed access to an entry's body, chosen by its kind."""

from __future__ import annotations

import msgspec

from bluelight.domain.transfer import (
    CancellationBody,
    ClosureBody,
    Entry,
    EntryKind,
    OfferBody,
    OverdueBody,
    TransferStatusBody,
    UpdateBody,
)

_DECODERS = {
    EntryKind.INCIDENT_NEW: msgspec.json.Decoder(OfferBody),
    EntryKind.INCIDENT_UPDATE: msgspec.json.Decoder(UpdateBody),
    EntryKind.INCIDENT_CLOSED: msgspec.json.Decoder(ClosureBody),
    EntryKind.INCIDENT_CANCELLED: msgspec.json.Decoder(CancellationBody),
    EntryKind.TRANSFER_STATUS: msgspec.json.Decoder(TransferStatusBody),
    EntryKind.TRANSFER_OVERDUE: msgspec.json.Decoder(OverdueBody),
}


def body_of(entry: Entry):
    return _DECODERS[entry.kind].decode(entry.body)
