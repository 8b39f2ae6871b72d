"""Reading back what the hub stored, without the input limits: `stored(T)` lives with the
wire types (bluelight.wire.stored), because the SDK reads pushed bodies the same way."""

from __future__ import annotations

from bluelight.wire.stored import stored

# Re-exported so the server's imports of this module keep working.
__all__ = ["stored"]
