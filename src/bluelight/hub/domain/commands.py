"""What a CAD system asks the hub to do. The request bodies are wire types
(bluelight.wire.commands), re-exported so the server's imports of this module keep working."""

from __future__ import annotations

from bluelight.wire.commands import (
    Acknowledge,
    Closure,
    Decide,
    IncidentReference,
    MessageId,
    Reason,
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)

__all__ = ["Acknowledge", "Closure", "Decide", "IncidentReference", "MessageId", "Reason",
           "SubmitCancellation", "SubmitClosure", "SubmitIncident", "SubmitUpdate"]
