"""Realistic incidents for tests."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def reference(prefix: str = "SWP") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def incident(ref: str | None = None, **changes) -> dict:
    base = {
        "reference": ref or reference(),
        "type": "road-traffic-collision",
        "priority": "emergency",
        "summary": "Two-car RTC, one person trapped",
        "notes": "Caller reports smoke from the engine bay of the blue car.",
        "location": {
            "easting": 318040,
            "northing": 176420,
            "address": "Castle Street, Cardiff CF10 1BS",
            "description": "Outside the castle gates, eastbound lane",
        },
        "hazards": ["fuel leak", "live traffic"],
        "casualties": [{"severity": "serious", "count": 1}, {"severity": "minor", "count": 2}],
        "resources_requested": [{"kind": "fire appliance", "count": 2,
                                 "note": "extrication kit"}],
        "caller": {"name": "Jane Evans", "phone": "07700 900123"},
        "created_at": datetime.now(UTC).isoformat(),
    }
    return base | changes


def methane() -> dict:
    return {
        "major_incident_declared": True,
        "exact_location": "M4 J32 westbound, Coryton interchange",
        "type_of_incident": "Multi-vehicle collision involving a tanker",
        "hazards": "Diesel spill, possible chemical load, fire risk",
        "access": "From J33 eastbound via the contraflow; RVP at Coryton services",
        "number_of_casualties": "At least 8: 2 critical, 3 serious, 3 minor",
        "emergency_services_present": ["police", "fire"],
        "emergency_services_required": ["ambulance", "HART", "highways"],
    }
