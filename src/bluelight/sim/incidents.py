"""Realistic South Wales incidents for the demo, the simulators and the benchmarks."""

from __future__ import annotations

import random
from datetime import UTC, datetime

# (type, who usually sends it -> who it goes to, summaries, hazards, resources)
SCENARIOS = [
    ("road-traffic-collision", ("police", "fire"),
     ["Two-car RTC, driver trapped", "Car overturned on slip road", "Van vs cyclist, cyclist injured"],
     ["fuel leak", "live traffic", "airbag undeployed"], ["fire appliance", "rescue tender"]),
    ("fire", ("ambulance", "fire"),
     ["Smoke seen from first-floor window", "Kitchen fire, occupant with burns", "Bin fire spreading to fence"],
     ["smoke", "gas cylinder inside"], ["fire appliance"]),
    ("concern-for-welfare", ("ambulance", "police"),
     ["Elderly male not seen for 3 days, no answer", "Neighbour hears shouting then silence"],
     ["dog on premises"], ["police patrol", "method of entry"]),
    ("medical", ("police", "ambulance"),
     ["Male collapsed in street, breathing", "Person in custody with chest pains"],
     [], ["ambulance", "paramedic"]),
    ("flood-water-rescue", ("police", "fire"),
     ["Car stuck in flood water, two occupants", "Person in the river Taff near the weir"],
     ["fast-flowing water", "cold water"], ["water rescue team", "boat"]),
    ("hazardous-materials", ("fire", "police"),
     ["Chemical smell from industrial unit", "Leaking drums on lay-by"],
     ["unknown substance", "vapour cloud"], ["cordon", "traffic management"]),
    ("police-assistance", ("ambulance", "police"),
     ["Crew threatened by patient's relative", "Aggressive patient at scene"],
     ["violence to crew"], ["police patrol"]),
    ("animal", ("police", "fire"),
     ["Horse loose on dual carriageway", "Dog trapped down a mineshaft"],
     ["animal on carriageway"], ["animal rescue team"]),
    ("medical", ("coastguard", "ambulance"),
     ["Walker fallen on coastal path at Southerndown", "Surfer injured at Rest Bay"],
     ["cliff edge", "incoming tide"], ["ambulance", "HEMS"]),
    ("flood-water-rescue", ("coastguard", "fire"),
     ["Person cut off by the tide at Sully Island", "Vehicle in the sea at Aberavon"],
     ["incoming tide", "mud"], ["water rescue team"]),
]

PLACES = [
    ("Queen Street, Cardiff CF10 2BH", 318650, 176480),
    ("Castle Street, Cardiff CF10 1BS", 318040, 176420),
    ("Kingsway, Swansea SA1 5JQ", 265390, 193050),
    ("Commercial Street, Newport NP20 1LR", 331300, 187850),
    ("A470 northbound, Taffs Well", 311900, 183600),
    ("M4 J32 westbound, Coryton", 314500, 181800),
    ("High Street, Merthyr Tydfil CF47 8DP", 305130, 206230),
    ("Caroline Street, Bridgend CF31 1DQ", 290550, 179850),
    ("Rest Bay, Porthcawl CF36 3UP", 280300, 178200),
    ("Southerndown beach, Vale of Glamorgan", 288400, 173300),
    ("Sully Island causeway", 316800, 166800),
    ("Aberavon seafront, Port Talbot", 273800, 189700),
]
NAMES = ["Jane Evans", "Rhys Jones", "Siân Williams", "Dai Thomas", "Megan Davies",
         "Owen Roberts", "Ffion Lewis", "Gareth Hughes"]


MEDICAL = ["Type 1 diabetic; on insulin", "History of epilepsy", "Allergic to penicillin",
           "On anticoagulants (warfarin)"]
VULNERABILITY = ["lives alone", "dementia", "mental health crisis", "child present"]
OFFICER_SAFETY = ["firearms licence holder at address", "violent towards staff",
                  "dangerous dog on premises"]


def make_incident(rng: random.Random, reference: str, *, sender: str | None = None,
                  ) -> tuple[str, str, dict]:
    """An incident and the services it passes between: (from_service, to_service, incident).
    With `sender`, one that service would plausibly send."""
    fitting = [s for s in SCENARIOS if sender is None or s[1][0] == sender]
    typ, (src, dst), summaries, hazards, resources = rng.choice(fitting or SCENARIOS)
    address, e, n = rng.choice(PLACES)
    incident = {
        "reference": reference,
        "type": typ,
        "priority": rng.choice(["emergency", "emergency", "urgent", "routine"]),
        "summary": rng.choice(summaries),
        "notes": "Caller on scene; details as given.",
        "location": {"easting": e + rng.randint(-150, 150), "northing": n + rng.randint(-150, 150),
                     "address": address},
        "hazards": rng.sample(hazards, k=min(len(hazards), rng.randint(0, 2))),
        "casualties": ([{"severity": rng.choice(["serious", "minor"]), "count": rng.randint(1, 3)}]
                       if rng.random() < 0.6 else []),
        "resources_requested": [{"kind": r, "count": 1} for r in resources[:1]],
        "caller": {"name": rng.choice(NAMES), "phone": f"07700 900{rng.randint(100, 999)}"},
        "created_at": datetime.now(UTC).isoformat(),
    }
    # Special categories, as real control rooms record them: each flows only where an
    # agreement allows (the demo's agreements withhold some of them).
    if typ in ("medical", "concern-for-welfare") and rng.random() < 0.7:
        incident["medical"] = rng.choice(MEDICAL)
    if typ == "concern-for-welfare" and rng.random() < 0.6:
        incident["vulnerability"] = {"flags": [rng.choice(VULNERABILITY)]}
    if src == "police" and rng.random() < 0.3:
        incident["officer_safety"] = {"markers": [rng.choice(OFFICER_SAFETY)]}
    if src == "police" and rng.random() < 0.15:
        incident["intelligence"] = "Address linked to ongoing enquiry; do not discuss on scene."
    return src, dst, incident
