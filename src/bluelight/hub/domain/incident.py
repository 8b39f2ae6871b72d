"""The incident as it passes between control rooms: the hub's rules about it. The types
are the wire's (bluelight.wire.incident), the one schema the hub and the SDK share."""

from __future__ import annotations

import msgspec

from bluelight.wire.incident import (
    UPRN_PATTERN,
    CallerContact,
    CasualtyCount,
    Incident,
    IncidentType,
    IncidentUpdate,
    Label,
    Location,
    LongText,
    Methane,
    OfficerSafety,
    Priority,
    Reference,
    ResourceRequest,
    Severity,
    Text,
    UpdateRecord,
    Uprn,
    Vulnerability,
)

# The wire types are re-exported so the server's imports of this module keep working.
__all__ = [
    "INCIDENT_TYPE_LABELS", "UPRN_PATTERN", "CallerContact", "CasualtyCount", "Incident",
    "IncidentType", "IncidentUpdate", "Label", "Location", "LongText", "Methane",
    "OfficerSafety", "Priority", "Reference", "ResourceRequest", "Severity", "Text",
    "UpdateRecord", "Uprn", "Vulnerability", "apply_update",
]

INCIDENT_TYPE_LABELS = {
    IncidentType.ROAD_TRAFFIC_COLLISION: "Road traffic collision",
    IncidentType.FIRE: "Fire",
    IncidentType.CONCERN_FOR_WELFARE: "Concern for welfare / effecting entry",
    IncidentType.MEDICAL: "Medical / co-responding",
    IncidentType.FLOOD_WATER_RESCUE: "Flood / water rescue",
    IncidentType.HAZARDOUS_MATERIALS: "Hazardous materials",
    IncidentType.POLICE_ASSISTANCE: "Police assistance",
    IncidentType.ANIMAL: "Animal",
    IncidentType.MAJOR_INCIDENT: "Major incident",
    IncidentType.OTHER: "Other",
}

_REPLACEABLE = (
    "priority",
    "summary",
    "location",
    "hazards",
    "casualties",
    "resources_requested",
    "methane",
)


def apply_update(incident: Incident, update: IncidentUpdate) -> Incident:
    """The incident as it stands after an update: given fields replace; the text does not
    touch the incident (it becomes an UpdateRecord). Appending it to the notes, as the hub
    once did, grew the incident past its own 10,000-character limit after a few dozen
    updates, and from then on the incident could not be read at all."""
    changes = {
        name: getattr(update, name) for name in _REPLACEABLE if getattr(update, name) is not None
    }
    return msgspec.structs.replace(incident, **changes) if changes else incident
