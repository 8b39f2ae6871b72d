"""Special categories of personal data (medical, vulnerability, officer safety,
intelligence) that a standard has no place for: named as losses, never dropped silently.
The data-sharing agreement decides first whether the recipient may have them at all."""

from __future__ import annotations

import msgspec

from bluelight.hub.adapters.codecs.methane import present_fields
from bluelight.hub.domain.incident import Incident

SPECIAL_FIELDS = ("medical", "vulnerability", "officer_safety", "intelligence")


def uncarried(incident: Incident | None, prefix: str = "incident") -> list[str]:
    if incident is None:
        return []
    lost = []
    for name in SPECIAL_FIELDS:
        value = getattr(incident, name)
        if value is None:
            continue
        path = f"{prefix}.{name}"
        lost += (present_fields(value, path) or [path]) if isinstance(value, msgspec.Struct) \
            else [path]
    return lost
