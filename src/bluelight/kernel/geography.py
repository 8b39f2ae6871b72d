"""Rules about where an incident can be: Great Britain and its waters."""

from __future__ import annotations

from typing import Protocol

from bluelight.kernel.errors import Faults

# The British National Grid's own extent (OS: the grid's 700 km x 1300 km false origin box).
BNG_EASTING = (0.0, 700_000.0)
BNG_NORTHING = (0.0, 1_300_000.0)
# EPSG:27700's published area of use: Great Britain and its territorial waters, onshore
# and offshore (EPSG dataset). Slightly wider than the land so coastguard jobs fit.
WGS84_LAT = (49.75, 61.01)
WGS84_LON = (-9.01, 2.01)
# Two positions for one incident further apart than this are flagged as inconsistent.
CONSISTENCY_TOLERANCE_M = 250.0


class Location(Protocol):
    """What `check_location` reads of a location (the hub's incident `Location` is one).
    Declared here so the shared kernel does not depend on the hub's domain."""

    @property
    def uprn(self) -> str | None: ...
    @property
    def easting(self) -> float | None: ...
    @property
    def northing(self) -> float | None: ...
    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...
    @property
    def address(self) -> str | None: ...


def in_gb(lat: float, lon: float) -> bool:
    return WGS84_LAT[0] <= lat <= WGS84_LAT[1] and WGS84_LON[0] <= lon <= WGS84_LON[1]


def operates_in_gb(agency_id: str) -> bool:
    """UK agencies' incidents lie in Great Britain and its waters. A partner across a
    border (e.g. fr.health.samu062 for the Channel Tunnel) sends its own country's."""
    return agency_id.startswith("uk.")


def check_location(loc: Location, faults: Faults, path: str = "incident.location",
                   *, gb: bool = True) -> None:
    """Coordinates come in pairs, something locates the incident, and (for a UK agency,
    `gb`) the coordinates lie inside Great Britain and its waters."""
    has_bng = loc.easting is not None or loc.northing is not None
    has_wgs = loc.lat is not None or loc.lon is not None
    if has_bng and (loc.easting is None or loc.northing is None):
        faults.add(f"{path}.{'northing' if loc.northing is None else 'easting'}",
                   "easting and northing must be given together")
    if has_wgs and (loc.lat is None or loc.lon is None):
        faults.add(f"{path}.{'lon' if loc.lon is None else 'lat'}",
                   "lat and lon must be given together")
    if not gb:
        if has_bng:
            faults.add(f"{path}.easting", "British National Grid is only for Great Britain")
        if not (loc.uprn or has_bng or has_wgs or loc.address):
            faults.add(path, "give at least one of uprn, easting/northing, lat/lon or address")
        return
    if loc.easting is not None and not BNG_EASTING[0] <= loc.easting <= BNG_EASTING[1]:
        faults.add(f"{path}.easting", "outside Great Britain and its waters (0 to 700000)")
    if loc.northing is not None and not BNG_NORTHING[0] <= loc.northing <= BNG_NORTHING[1]:
        faults.add(f"{path}.northing", "outside Great Britain and its waters (0 to 1300000)")
    if loc.lat is not None and not WGS84_LAT[0] <= loc.lat <= WGS84_LAT[1]:
        faults.add(f"{path}.lat", "outside Great Britain and its waters (49.75 to 61.01)")
    if loc.lon is not None and not WGS84_LON[0] <= loc.lon <= WGS84_LON[1]:
        faults.add(f"{path}.lon", "outside Great Britain and its waters (-9.01 to 2.01)")
    if not (loc.uprn or has_bng or has_wgs or loc.address):
        faults.add(path, "give at least one of uprn, easting/northing, lat/lon or address")
