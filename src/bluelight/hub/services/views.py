"""What the hub answers: receipts and read models. They are wire types
(bluelight.wire.views), re-exported so the server's imports of this module keep working."""

from __future__ import annotations

from bluelight.wire.views import (
    Inbox,
    Receipt,
    SharingPreview,
    Timeline,
    TransferExport,
    TransferReceipt,
    TransferView,
    UpdatePage,
    UpdateSummary,
)

__all__ = ["Inbox", "Receipt", "SharingPreview", "Timeline", "TransferExport",
           "TransferReceipt", "TransferView", "UpdatePage", "UpdateSummary"]
