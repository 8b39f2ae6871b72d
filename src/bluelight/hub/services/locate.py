"""Resolve a location: UPRN -> coordinates, and each coordinate system to the other."""

from __future__ import annotations

import math

import msgspec

from bluelight.hub.domain.incident import Location
from bluelight.hub.domain.transfer import Flag
from bluelight.hub.services.ports import Gazetteer, Geodesy
from bluelight.kernel.errors import Faults, Invalid
from bluelight.kernel.geography import CONSISTENCY_TOLERANCE_M, check_location, in_gb


def locate(
    loc: Location,
    gazetteer: Gazetteer,
    geodesy: Geodesy,
    *,
    reject_unknown_uprn: bool,
    path: str = "incident.location",
    gb: bool = True,
) -> tuple[Location, list[Flag]]:
    """Validate `loc` and return it with every coordinate filled in, plus flags.

    What the sender gave always wins; derived values only fill gaps. Disagreement is
    flagged, never silently "corrected"."""
    faults = Faults()
    check_location(loc, faults, path, gb=gb)
    faults.raise_if_any()
    if loc.lat is not None and not in_gb(loc.lat, loc.lon):
        return loc, []  # abroad: no British grid reference, no UPRN to resolve

    flags: list[Flag] = []
    e, n, lat, lon = loc.easting, loc.northing, loc.lat, loc.lon
    if e is not None and lat is not None:
        e2, n2 = geodesy.to_bng(lat, lon)
        if math.hypot(e - e2, n - n2) > CONSISTENCY_TOLERANCE_M:
            flags.append(Flag.LOCATION_INCONSISTENT)
    elif e is not None:
        lat, lon = geodesy.to_wgs84(e, n)
    elif lat is not None:
        e, n = geodesy.to_bng(lat, lon)

    if loc.uprn is not None:
        point = gazetteer.lookup(int(loc.uprn))
        if point is None:
            if reject_unknown_uprn:
                raise Invalid.field(f"{path}.uprn", "not found in the gazetteer")
            flags.append(Flag.UPRN_UNKNOWN)
        elif e is None:
            e, n, lat, lon = point.easting, point.northing, point.lat, point.lon
        elif math.hypot(e - point.easting, n - point.northing) > CONSISTENCY_TOLERANCE_M:
            flags.append(Flag.LOCATION_INCONSISTENT)

    if e is None:
        return loc, flags
    return (
        msgspec.structs.replace(
            loc, easting=round(e, 1), northing=round(n, 1), lat=round(lat, 6), lon=round(lon, 6)
        ),
        flags,
    )
