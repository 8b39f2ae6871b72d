"""Code tables: CAP categories and urgency/severity for each native type and priority,
and the native type of a foreign alert's category or event."""

from __future__ import annotations

import re

from bluelight.hub.domain.incident import IncidentType, Priority

CATEGORIES: dict[IncidentType, tuple[str, ...]] = {
    IncidentType.ROAD_TRAFFIC_COLLISION: ("Transport",),
    IncidentType.FIRE: ("Fire",),
    IncidentType.CONCERN_FOR_WELFARE: ("Rescue",),
    IncidentType.MEDICAL: ("Health",),
    IncidentType.FLOOD_WATER_RESCUE: ("Met", "Rescue"),
    IncidentType.HAZARDOUS_MATERIALS: ("CBRNE",),
    IncidentType.POLICE_ASSISTANCE: ("Security",),
    IncidentType.ANIMAL: ("Other",),
    IncidentType.MAJOR_INCIDENT: ("Safety",),
    IncidentType.OTHER: ("Other",),
}
# A foreign alert's category, when neither our eventCode nor its event names the type.
TYPE_OF_CATEGORY = {
    "Fire": IncidentType.FIRE,
    "CBRNE": IncidentType.HAZARDOUS_MATERIALS,
    "Env": IncidentType.HAZARDOUS_MATERIALS,
    "Transport": IncidentType.ROAD_TRAFFIC_COLLISION,
    "Health": IncidentType.MEDICAL,
    "Security": IncidentType.POLICE_ASSISTANCE,
}
TYPE_OF_EVENT = (
    (re.compile(r"flood|water rescue|tidal surge|storm surge|inundation", re.I),
     IncidentType.FLOOD_WATER_RESCUE),
    (re.compile(r"major incident", re.I), IncidentType.MAJOR_INCIDENT),
    (re.compile(r"\b(wild)?fires?\b|blaze|smoke", re.I), IncidentType.FIRE),
    (re.compile(r"chemical|hazmat|cbrn|gas leak|radiation|radiolog|toxic|pollution", re.I),
     IncidentType.HAZARDOUS_MATERIALS),
    (re.compile(r"collision|\brtc\b|crash|road traffic", re.I),
     IncidentType.ROAD_TRAFFIC_COLLISION),
    (re.compile(r"animal|livestock", re.I), IncidentType.ANIMAL),
)

URGENCY_SEVERITY = {
    Priority.EMERGENCY: ("Immediate", "Extreme"),
    Priority.URGENT: ("Immediate", "Severe"),
    Priority.ROUTINE: ("Expected", "Moderate"),
    Priority.LOW: ("Future", "Minor"),
}
