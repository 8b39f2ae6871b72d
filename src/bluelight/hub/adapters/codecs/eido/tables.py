"""Code tables: incident types (APCO common codes and free-text words), call
priorities and IANA responder types."""

from __future__ import annotations

import re

from bluelight.hub.domain.incident import IncidentType, Priority

# -- incident types: APCO ANS 2.103 common incident type codes (apco.yaml in the NIEM
#    components), which NENA's Incident Type registry draws on ----------------------

TYPE_TO_REGISTRY = {
    IncidentType.ROAD_TRAFFIC_COLLISION: "MVA",
    IncidentType.FIRE: "FOTHER",
    IncidentType.CONCERN_FOR_WELFARE: "WELFARE",
    IncidentType.MEDICAL: "SICK",
    IncidentType.FLOOD_WATER_RESCUE: "WATER",
    IncidentType.HAZARDOUS_MATERIALS: "HAZMAT",
    IncidentType.POLICE_ASSISTANCE: "ASSIST",
    IncidentType.ANIMAL: "ANIMAL",
    IncidentType.MAJOR_INCIDENT: "MAJORINC",
    IncidentType.OTHER: "OTHER",
}
REGISTRY_TO_TYPE: dict[str, IncidentType] = {}
for _type, _codes in {
    IncidentType.ROAD_TRAFFIC_COLLISION: "MVA MVAHR MVAINJY MVAUNK",
    IncidentType.FIRE: "FAIRC FAPT FARSON FBRUSH FELEC FFUEL FMARINE FOTHER FSMOKE FSTRU "
                       "FTRAILER FTRAIN FTRASH FTRUCK FUNK FVEH ALRF",
    IncidentType.CONCERN_FOR_WELFARE: "WELFARE EDP SUICTHRT",
    IncidentType.MEDICAL: "ABDOM ALLERGIC ALRMED ALS BLS BLEEDING BURN CARDIAC CHESPAIN "
                          "CHOKE DIABETIC EYE FALL HEADACHE HEMRG OD PERUNCON PREG RESP "
                          "SEIZURE SICK STROKE TRAUMA TRAUMAP",
    IncidentType.FLOOD_WATER_RESCUE: "WATER DROWN",
    IncidentType.HAZARDOUS_MATERIALS: "HAZMAT CHEMICAL GASLEAK RADIAT BIO",
    IncidentType.POLICE_ASSISTANCE: "ASSIST BACK ASSAULT BURGLARY ROBBERY FIGHT SHOOT "
                                    "STABBING WEAPON DISORD HOSTAGE BARICADE",
    IncidentType.ANIMAL: "ANIMAL BITE WILDLIFE",
    IncidentType.MAJOR_INCIDENT: "MAJORINC MCI",
    IncidentType.OTHER: "OTHER",
}.items():
    REGISTRY_TO_TYPE.update(dict.fromkeys(_codes.split(), _type))
# Free-text types ("Structure Fire", "EMS", "Traffic Collision"): first match wins.
TYPE_WORDS = [
    (re.compile(r"\b(major incident|mass casualty|mci)\b"), IncidentType.MAJOR_INCIDENT),
    (re.compile(r"\b(hazmat|hazardous|chemical|gas leak)\b"), IncidentType.HAZARDOUS_MATERIALS),
    (re.compile(r"\bfire\b"), IncidentType.FIRE),
    (re.compile(r"\b(flood|water rescue|drowning)\b"), IncidentType.FLOOD_WATER_RESCUE),
    (re.compile(r"\b(traffic|collision|crash|mva|rtc|vehicle accident)\b"),
     IncidentType.ROAD_TRAFFIC_COLLISION),
    (re.compile(r"\b(welfare|suicid\w*)\b"), IncidentType.CONCERN_FOR_WELFARE),
    (re.compile(r"\b(medical|ems|ambulance|sick|cardiac|injury)\b"), IncidentType.MEDICAL),
    (re.compile(r"\b(police|law|assault|burglary|robbery|disturbance)\b"),
     IncidentType.POLICE_ASSISTANCE),
    (re.compile(r"\b(animal|dog|livestock|wildlife)\b"), IncidentType.ANIMAL),
]
CALL_PRIORITY = {"highest": Priority.EMERGENCY, "high": Priority.EMERGENCY,
                 "normal": Priority.URGENT, "low": Priority.ROUTINE, "lowest": Priority.LOW}
# IANA urn:emergency:service:responder types, by bluelight service (agency id part 2).
_AGENCY_TYPES = {"police": "police", "fire": "fire", "ambulance": "ems",
                 "coastguard": "coast_guard"}


def agency_types(agency: str | None) -> list[str]:
    """IANA responder types for a bluelight agency id (country.service.organisation)."""
    parts = (agency or "").split(".")
    kind = _AGENCY_TYPES.get(parts[1]) if len(parts) >= 3 else None
    return [kind] if kind else []
