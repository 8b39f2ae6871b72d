"""CAP as bluelight writes it: the names, the namespace, the eventCode that carries our
exact type, and the layout of our own free text (which reading recognises)."""

from __future__ import annotations

import re

FORMAT = "cap"
MEDIA_TYPE = "application/cap+xml"
NS = "urn:oasis:names:tc:emergency:cap:1.2"
LANGUAGE = "en-GB"
TYPE_CODE = "urn:bluelight:incident-type"  # eventCode valueName carrying our exact type
UPDATE_EVENT = "Incident update"
METHANE_MARK = "M/ETHANE"
HAZARDS_PREFIX = "Hazards: "
CLOSED_PREFIX = "Closed: "
CANCELLED_PREFIX = "Cancelled: "
# A "lat,lon" pair as text: an areaDesc that is only that carries no address.
COORDS = re.compile(r"\s*[-+]?\d+(\.\d+)?\s*,\s*[-+]?\d+(\.\d+)?\s*")


def q(tag: str) -> str:
    """The qualified name of a CAP 1.2 element."""
    return f"{{{NS}}}{tag}"


def read_hazards(instruction: str) -> list[str] | None:
    """The hazards, when the instruction is in our "Hazards: a; b" form."""
    if not instruction.startswith(HAZARDS_PREFIX):
        return None
    items = [item for item in instruction[len(HAZARDS_PREFIX):].split("; ") if item]
    if len(items) > 50 or not all(len(item) <= 200 for item in items):
        return None
    return items
