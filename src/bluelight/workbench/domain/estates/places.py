"""Places and distances: the gazetteer of town centres the report measures from,
buildings within a distance of a point, and co-location pairs.

Distances are planar on the British National Grid (see docs/decisions/0014): over Wales
the grid's scale error is under 0.04%, so "as the crow flies" within a few tens of
kilometres is right to metres, and the arithmetic stays exact and pure."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import msgspec

from bluelight.workbench.domain.estates.names import name_key
from bluelight.workbench.domain.estates.records import Building

Unit = Literal["km", "mi", "m"]
METRES_PER: dict[str, float] = {"km": 1000.0, "mi": 1609.344, "m": 1.0}  # international mile


class Place(msgspec.Struct, kw_only=True):
    name: str
    easting: float
    northing: float
    source: str


# Town and city centres the report measures from (paragraph 39), at the centre of the OS
# grid square of each place's Ordnance Survey grid reference as given in its Wikipedia
# infobox: Pontypridd ST075895, Swansea SS6593 (four-figure, so +-500 m),
# Bangor SH580722, Wrexham SJ335505. Grid squares: ST = (300 km, 100 km),
# SS = (200 km, 100 km), SH = (200 km, 300 km), SJ = (300 km, 300 km).
# A town centre is a fuzzy point: the same infoboxes' lat/lon land 30 m (Bangor) to 700 m
# (Pontypridd) from these, which moves a 10-mile count only at its edge.
PLACES: dict[str, Place] = {p.name.casefold(): p for p in (
    Place(name="Pontypridd", easting=307550, northing=189550, source="OS grid ref ST075895"),
    Place(name="Swansea", easting=265500, northing=193500, source="OS grid ref SS6593"),
    Place(name="Bangor", easting=258050, northing=372250, source="OS grid ref SH580722"),
    Place(name="Wrexham", easting=333550, northing=350550, source="OS grid ref SJ335505"),
)}


def planar_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Straight-line distance on the National Grid, in metres."""
    return math.hypot(a[0] - b[0], a[1] - b[1])


def within(buildings: Iterable[Building], centre: tuple[float, float],
           radius_m: float) -> list[tuple[float, Building]]:
    """Located stored buildings no further than `radius_m` from `centre` (the edge counts),
    nearest first."""
    found = [(planar_m(centre, (b.easting, b.northing)), b) for b in buildings if b.located]
    return sorted(((m, b) for m, b in found if m <= radius_m), key=lambda x: (x[0], x[1].id))


def already_together(a: Building, b: Building) -> bool:
    """Either building already has the other's organisation working from it."""
    return (name_key(b.organisation) in {name_key(s) for s in a.shared_with}
            or name_key(a.organisation) in {name_key(s) for s in b.shared_with})


def co_location_pairs(buildings: Iterable[Building], max_m: float,
                      limit: int) -> list[tuple[float, Building, Building]]:
    """Pairs of stored buildings of different services no more than `max_m` apart, not
    already shared between the two organisations, nearest first (ties by id, so the
    order is stable).

    A sweep along eastings keeps this near O(n log n) for an estate of a few thousand."""
    items = sorted((b for b in buildings if b.located), key=lambda b: (b.easting, b.id))
    pairs = []
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if b.easting - a.easting > max_m:
                break
            if a.service == b.service or already_together(a, b):
                continue
            m = planar_m((a.easting, a.northing), (b.easting, b.northing))
            if m <= max_m:
                first, second = (a, b) if a.id < b.id else (b, a)
                pairs.append((m, first, second))
    pairs.sort(key=lambda p: (p[0], p[1].id, p[2].id))
    return pairs[:limit]
