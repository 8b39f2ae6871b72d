"""Code tables: CISU and EMSI incident types, CISU risk codes, victim-count bands and
EMSI triage categories, each way between them and the native values."""

from __future__ import annotations

import re
import unicodedata

from bluelight.hub.adapters.codecs.edxl_de.node import Node
from bluelight.hub.domain.incident import CasualtyCount, IncidentType, Severity

T = IncidentType
# CISU "what happens" codes (Cnn.nn.nn). Exact codes first, then the longest prefix.
_CISU_EXACT = {"C11.00.00": T.OTHER, "C07.02.03": T.FIRE}
_CISU_PREFIXES = {
    "C01.01": T.ROAD_TRAFFIC_COLLISION, "C01.06": T.ROAD_TRAFFIC_COLLISION,
    "C02.10": T.FLOOD_WATER_RESCUE, "C02.11": T.FLOOD_WATER_RESCUE,
    "C02.12": T.CONCERN_FOR_WELFARE, "C02.15": T.POLICE_ASSISTANCE,
    "C02.19": T.POLICE_ASSISTANCE, "C02": T.MEDICAL, "C04": T.FIRE,
    "C06": T.POLICE_ASSISTANCE, "C07": T.POLICE_ASSISTANCE,
    "C08.01": T.FLOOD_WATER_RESCUE, "C08.08": T.HAZARDOUS_MATERIALS,
    "C09.03": T.HAZARDOUS_MATERIALS, "C09.04": T.HAZARDOUS_MATERIALS,
    "C11.02": T.MEDICAL, "C11.08": T.HAZARDOUS_MATERIALS,
}
# The code encode writes for each type; each decodes back to the same type.
CISU_CODES = {
    T.ROAD_TRAFFIC_COLLISION: ("C01.01.00", "Accident routier"),
    T.FIRE: ("C04.00.00", "Incendie"),
    T.MEDICAL: ("C02.05.00", "Pathologie / maladie"),
    T.FLOOD_WATER_RESCUE: ("C02.11.00", "Personne dans l'eau / noyade"),
    T.HAZARDOUS_MATERIALS: ("C08.08.00", "Pollution / matières dangereuses"),
    T.CONCERN_FOR_WELFARE: ("C02.12.00", "Personne bloquée / enfermée"),
    T.POLICE_ASSISTANCE: ("C06.00.00", "Atteinte à l'ordre public"),
}
OTHER_CODE = "C11.00.00"
# Words in a label (accents removed, lower case), when the code is not in the table.
_LABEL_WORDS = (
    (T.ROAD_TRAFFIC_COLLISION, r"accident (de la route|routier|de la circulation)|collision"
                               r"|carambolage|road traffic"),
    (T.FIRE, r"incendie|\bfeux?\b|\bfire\b|flamme|fumee"),
    (T.HAZARDOUS_MATERIALS, r"\bgaz\b|\bgas\b|toxique|chimique|nrbc|hazmat|matieres? dangereuses"
                            r"|pollution|radioacti|explosi"),
    (T.FLOOD_WATER_RESCUE, r"noyade|inondation|\bflood|water rescue|dans l'eau"),
    (T.MEDICAL, r"malaise|douleur|enceinte|obstetri|accouchement|detresse|arret cardiaque"
                r"|inconscien|medical|cardiaque|respiratoire|\bavc\b|blesse"),
    (T.ANIMAL, r"\banima(l|ux)\b"),
    (T.CONCERN_FOR_WELFARE, r"personne (bloquee|enfermee)|welfare|ouverture de porte"),
    (T.POLICE_ASSISTANCE, r"\brixe\b|agression|violence|police|cambriolage"),
)
# EMSI EVENT.ETYPE.CATEGORY, by prefix in this order; ACTOR ANI* makes an animal incident.
_EMSI_TYPES = (
    ("FIR", T.FIRE), ("EXP", T.HAZARDOUS_MATERIALS), ("POL", T.HAZARDOUS_MATERIALS),
    ("ASR/ATM", T.HAZARDOUS_MATERIALS), ("FLD", T.FLOOD_WATER_RESCUE),
    ("ASR/WAT", T.FLOOD_WATER_RESCUE), ("ASR/ICE", T.FLOOD_WATER_RESCUE),
    ("ASR/MAR", T.FLOOD_WATER_RESCUE), ("HLT", T.MEDICAL),
    ("TRP/COL", T.ROAD_TRAFFIC_COLLISION), ("TRP/CRS", T.ROAD_TRAFFIC_COLLISION),
    ("PSW/MEV", T.MAJOR_INCIDENT), ("PSW/MIS", T.CONCERN_FOR_WELFARE),
    ("PSW/RIOT", T.POLICE_ASSISTANCE), ("PSW/DEM", T.POLICE_ASSISTANCE),
    ("PSW/PRO", T.POLICE_ASSISTANCE), ("PSW/PRSUIT", T.POLICE_ASSISTANCE),
    ("PSW/SUS", T.POLICE_ASSISTANCE), ("PSW/PKG", T.POLICE_ASSISTANCE),
    ("ASB", T.POLICE_ASSISTANCE),
)
EMSI_CATEGORIES = {
    T.FIRE: "FIR", T.HAZARDOUS_MATERIALS: "POL", T.FLOOD_WATER_RESCUE: "FLD",
    T.MEDICAL: "HLT", T.ROAD_TRAFFIC_COLLISION: "TRP/COL", T.MAJOR_INCIDENT: "PSW/MEV",
    T.CONCERN_FOR_WELFARE: "PSW/MIS", T.POLICE_ASSISTANCE: "PSW/SUS", T.ANIMAL: "ASR",
}


def cisu_type(code: str | None) -> IncidentType | None:
    if not code:
        return None
    if code in _CISU_EXACT:
        return _CISU_EXACT[code]
    for prefix in sorted(_CISU_PREFIXES, key=len, reverse=True):
        if code.startswith(prefix):
            return _CISU_PREFIXES[prefix]
    return None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def label_type(label: str | None) -> IncidentType | None:
    if not label:
        return None
    folded = _fold(label)
    for incident_type, pattern in _LABEL_WORDS:
        if re.search(pattern, folded):
            return incident_type
    return None


def emsi_type(etype: Node | None) -> IncidentType | None:
    if etype is None:
        return None
    categories = etype.strs("CATEGORY")
    for category in categories:
        for prefix, incident_type in _EMSI_TYPES:
            if category == prefix or category.startswith(prefix + "/"):
                return incident_type
    actors = etype.peek("ACTOR")
    if isinstance(actors, list) and any(isinstance(a, str) and a.startswith("ANI")
                                        for a in actors):
        etype.use("ACTOR")
        return T.ANIMAL
    return None


_RISK_WORDS = (("R12", r"incendie|\bfeux?\b|fire|flamme|burn"),
               ("R13", r"\bgaz\b|\bgas\b|explosi|\blpg\b|\bgpl\b"))


def risk_code(hazard: str) -> str | None:
    """The CISU risk code a native hazard is written with (R12 fire, R13 gas or explosion,
    by its words, accents ignored), or None: such a hazard is not carried."""
    folded = _fold(hazard)
    for code, pattern in _RISK_WORDS:
        if re.search(pattern, folded):
            return code
    return None


# EMSI CASUALTIES counts, by triage category, and the native severity of each.
TRIAGE = (("TRIAGERED", Severity.SERIOUS), ("TRIAGEYELLOW", Severity.SERIOUS),
          ("TRIAGEGREEN", Severity.MINOR), ("TRIAGEBLACK", Severity.FATAL),
          ("MISSING", Severity.UNKNOWN))


def victim_casualties(count: str) -> list[CasualtyCount]:
    """CISU victim-count bands as native casualties (lower bounds; severity unknown)."""
    number = {"1": 1, "PLUSIEURS": 2, "BEAUCOUP": 10}.get(count)
    return [CasualtyCount(severity=Severity.UNKNOWN, count=number)] if number else []
