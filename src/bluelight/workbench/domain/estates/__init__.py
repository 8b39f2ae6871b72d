"""Estates, fleet and workforce of emergency services and responders: the rules behind
Audit Wales's data tool (Joint Working Between Emergency Services, January 2022,
Exhibits 3 to 6), with no I/O.

Two ways to know an organisation's estate: a list of its buildings, or only the counts it
returned (as the report publishes them). The report works from either; where both exist
for an organisation, its buildings win, as the more detailed and more recent record.

Distances are planar on the British National Grid (see docs/decisions/0014): over Wales
the grid's scale error is under 0.04%, so "as the crow flies" within a few tens of
kilometres is right to metres, and the arithmetic stays exact and pure."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, get_args

import msgspec

from bluelight.kernel.errors import Faults
from bluelight.kernel.geography import (
    BNG_EASTING,
    BNG_NORTHING,
    CONSISTENCY_TOLERANCE_M,
    WGS84_LAT,
    WGS84_LON,
)

# A superset of the hub's agency services: the report names three kinds of "emergency
# responder" (RNLI, search and rescue, coastguard) that must stay different services for
# the co-location finder. Listed in the order Exhibit 3 presents them.
Service = Literal["police", "fire", "ambulance", "lifeboat", "search-and-rescue", "coastguard",
                  "local-authority", "other-responder"]
SERVICES: tuple[str, ...] = get_args(Service)
BLUE_LIGHT = frozenset({"police", "fire", "ambulance"})
BuildingType = Literal["station", "office", "control-room", "training", "workshop", "other"]
BUILDING_TYPES: tuple[str, ...] = get_args(BuildingType)
Tenure = Literal["owned", "leased"]
TENURES: tuple[str, ...] = get_args(Tenure)
Kind = Literal["buildings", "counts", "fleet", "workforce"]
KINDS: tuple[str, ...] = get_args(Kind)
Unit = Literal["km", "mi", "m"]
METRES_PER: dict[str, float] = {"km": 1000.0, "mi": 1609.344, "m": 1.0}  # international mile

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_SLUG = re.compile(r"[^a-z0-9]+")
MAX_UPRN = 999_999_999_999  # UPRNs are at most 12 digits (GeoPlace)


# ---------------------------------------------------------------------------------------
# The records


class Organisation(msgspec.Struct, kw_only=True):
    id: str
    name: str
    service: Service


class Building(msgspec.Struct, kw_only=True):
    organisation: str
    name: str
    type: BuildingType
    tenure: Tenure
    address: str | None = None
    postcode: str | None = None
    uprn: int | None = None
    easting: float | None = None
    northing: float | None = None
    lat: float | None = None
    lon: float | None = None
    # Other organisations working from it (free names: the Ministry of Justice shares one).
    shared_with: list[str] = []

    @property
    def located(self) -> bool:
        return self.easting is not None and self.northing is not None


class BuildingCount(msgspec.Struct, kw_only=True):
    """An organisation's estate as counts only, as Exhibit 3 publishes it. `owned` and
    `leased` are None where the source does not split them (Exhibit 3 does not)."""

    organisation: str
    buildings: int
    shared: int
    owned: int | None = None
    leased: int | None = None
    as_at: date | None = None
    source: str | None = None


class FleetLine(msgspec.Struct, kw_only=True):
    """One organisation's fleet, all of it (vehicle_type None) or one type of vehicle."""

    organisation: str
    vehicle_type: str | None = None
    vehicles: int
    maintenance_cost_pence: int
    mileage: int | None = None
    as_at: date | None = None
    source: str | None = None


class WorkforceLine(msgspec.Struct, kw_only=True):
    organisation: str
    role: str
    staff: int
    as_at: date | None = None
    source: str | None = None


class StoredBuilding(msgspec.Struct, kw_only=True):
    """A building as stored: with its id and its organisation's service."""

    id: int
    service: Service
    building: Building


class EstatesDataset(msgspec.Struct, kw_only=True):
    """A named set of figures. `synthetic` marks invented data, kept apart from real."""

    id: str
    title: str
    synthetic: bool
    buildings: int = 0
    counts: int = 0
    fleet_lines: int = 0
    workforce_lines: int = 0


class Row(msgspec.Struct, kw_only=True):
    """A checked input row: where it came from, the organisation's service as the row
    states it (needed only for an organisation not yet known), and the record."""

    line: int
    service: Service | None
    record: Any


# ---------------------------------------------------------------------------------------
# Names


def name_key(name: str) -> str:
    """Organisation names compare without case or spacing differences."""
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    return " ".join(name.split())


def slug(name: str) -> str:
    return _SLUG.sub("-", name.casefold()).strip("-") or "organisation"


# ---------------------------------------------------------------------------------------
# Checking rows. `fields` are a row's typed values (the CSV adapter parsed numbers, money
# and dates); `where` prefixes every fault, e.g. "row 12".


class Unreadable:
    """A cell that was given but could not be read (the CSV adapter has reported it): it
    counts as given, so no second fault says it is missing."""

    __slots__ = ("raw",)

    def __init__(self, raw: str) -> None:
        self.raw = raw


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _value(fields: dict[str, Any], name: str) -> Any:
    value = fields.get(name)
    return None if isinstance(value, Unreadable) else value


def _text(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return clean_name(value) if isinstance(value, str) and value.strip() else None


def _required(fields: dict[str, Any], name: str, faults: Faults, where: str) -> Any:
    if not _given(fields.get(name)):
        faults.add(f"{where}: {name}", "is required")
    return _value(fields, name)


def _choice(fields: dict[str, Any], name: str, choices: tuple[str, ...], faults: Faults,
            where: str, *, required: bool = True) -> str | None:
    raw = _text(fields, name)
    if raw is None:
        if required:
            faults.add(f"{where}: {name}", "is required")
        return None
    value = raw.lower().replace(" ", "-").replace("_", "-")
    if value not in choices:
        faults.add(f"{where}: {name}", f"'{raw}' is not one of {', '.join(choices)}")
        return None
    return value


def _count(fields: dict[str, Any], name: str, faults: Faults, where: str, *,
           required: bool = True) -> int | None:
    if required and not _given(fields.get(name)):
        faults.add(f"{where}: {name}", "is required")
    value = _value(fields, name)
    if value is not None and value < 0:
        faults.add(f"{where}: {name}", "must not be negative")
        return None
    return value


def normal_postcode(raw: str) -> str | None:
    """'cf37 1dp' -> 'CF37 1DP'; None if it is not shaped like a UK postcode."""
    m = _POSTCODE.match(raw.replace(" ", "").upper()) if raw else None
    return f"{m.group(1)} {m.group(2)}" if m else None


def row_service(fields: dict[str, Any], faults: Faults, where: str) -> str | None:
    return _choice(fields, "service", SERVICES, faults, where, required=False)


def check_building(fields: dict[str, Any], faults: Faults, where: str) -> Building | None:
    before = len(faults.items)
    organisation = _required(fields, "organisation", faults, where)
    name = _required(fields, "name", faults, where)
    type_ = _choice(fields, "type", BUILDING_TYPES, faults, where)
    tenure = _choice(fields, "tenure", TENURES, faults, where)
    postcode = None
    if raw := _text(fields, "postcode"):
        postcode = normal_postcode(raw)
        if postcode is None:
            faults.add(f"{where}: postcode", f"'{raw}' is not a UK postcode")
    uprn = _value(fields, "uprn")
    if uprn is not None and not 1 <= uprn <= MAX_UPRN:
        faults.add(f"{where}: uprn", "must be 1 to 12 digits")
    check_coordinates(*(fields.get(k) for k in ("easting", "northing", "lat", "lon")),
                      faults, where)
    e, n, lat, lon = (_value(fields, k) for k in ("easting", "northing", "lat", "lon"))
    address = _text(fields, "address")
    if not any(_given(fields.get(k)) for k in ("address", "postcode", "uprn", "easting",
                                               "northing", "lat", "lon")):
        faults.add(f"{where}: address",
                   "give at least one of address, postcode, uprn, easting/northing or lat/lon")
    shared = [clean_name(s) for s in fields.get("shared_with") or [] if s.strip()]
    if organisation and any(name_key(s) == name_key(organisation) for s in shared):
        faults.add(f"{where}: shared_with", "must name other organisations, not its own")
    if len(faults.items) > before:
        return None
    return Building(organisation=clean_name(organisation), name=clean_name(name), type=type_,
                    tenure=tenure, address=address, postcode=postcode, uprn=uprn,
                    easting=e, northing=n, lat=lat, lon=lon,
                    shared_with=sorted(set(shared), key=name_key))


def check_coordinates(e: float | None, n: float | None, lat: float | None,
                      lon: float | None, faults: Faults, where: str = "") -> None:
    """Pairs come together and lie in Great Britain and its waters (BNG's area of use)."""
    def field(name: str) -> str:
        return f"{where}: {name}" if where else name

    for a, b, name_a, name_b in ((e, n, "easting", "northing"), (lat, lon, "lat", "lon")):
        if (a is None) != (b is None):
            faults.add(field(name_b if b is None else name_a),
                       f"{name_a} and {name_b} must be given together")
    for value, bounds, name in ((e, BNG_EASTING, "easting"), (n, BNG_NORTHING, "northing"),
                                (lat, WGS84_LAT, "lat"), (lon, WGS84_LON, "lon")):
        if isinstance(value, (int, float)) and not bounds[0] <= value <= bounds[1]:
            faults.add(field(name), f"outside Great Britain and its waters "
                                    f"({bounds[0]:g} to {bounds[1]:g})")


def locate_building(b: Building, to_bng, to_wgs84, faults: Faults, where: str) -> Building:
    """Fill in whichever coordinate pair is missing, and refuse a row whose two pairs
    disagree (a transposed easting, a lat/lon in the wrong order)."""
    if b.easting is not None and b.lat is not None:
        e, n = to_bng(b.lat, b.lon)
        gap = math.hypot(e - b.easting, n - b.northing)
        if gap > CONSISTENCY_TOLERANCE_M:
            faults.add(f"{where}: lat", f"lat/lon is {gap:,.0f} m from easting/northing "
                                        f"(more than {CONSISTENCY_TOLERANCE_M:g} m)")
        return b
    if b.lat is not None:
        e, n = to_bng(b.lat, b.lon)
        return msgspec.structs.replace(b, easting=round(e, 1), northing=round(n, 1))
    if b.easting is not None:
        lat, lon = to_wgs84(b.easting, b.northing)
        return msgspec.structs.replace(b, lat=round(lat, 6), lon=round(lon, 6))
    return b


def check_count(fields: dict[str, Any], faults: Faults, where: str) -> BuildingCount | None:
    before = len(faults.items)
    organisation = _required(fields, "organisation", faults, where)
    buildings = _count(fields, "buildings", faults, where)
    shared = _count(fields, "shared", faults, where)
    owned = _count(fields, "owned", faults, where, required=False)
    leased = _count(fields, "leased", faults, where, required=False)
    if buildings is not None and shared is not None and shared > buildings:
        faults.add(f"{where}: shared", f"{shared} is more than the {buildings} buildings")
    if buildings is not None and (owned or 0) + (leased or 0) > buildings:
        faults.add(f"{where}: leased" if leased else f"{where}: owned",
                   f"owned plus leased is more than the {buildings} buildings")
    if len(faults.items) > before:
        return None
    return BuildingCount(organisation=clean_name(organisation), buildings=buildings,
                         shared=shared, owned=owned, leased=leased, as_at=_value(fields, "as_at"),
                         source=_text(fields, "source"))


def check_fleet(fields: dict[str, Any], faults: Faults, where: str) -> FleetLine | None:
    before = len(faults.items)
    organisation = _required(fields, "organisation", faults, where)
    vehicles = _count(fields, "vehicles", faults, where)
    cost = _count(fields, "maintenance_cost", faults, where)
    mileage = _count(fields, "mileage", faults, where, required=False)
    if len(faults.items) > before:
        return None
    return FleetLine(organisation=clean_name(organisation),
                     vehicle_type=_text(fields, "vehicle_type"), vehicles=vehicles,
                     maintenance_cost_pence=cost, mileage=mileage,
                     as_at=_value(fields, "as_at"),
                     source=_text(fields, "source"))


def check_workforce(fields: dict[str, Any], faults: Faults, where: str) -> WorkforceLine | None:
    before = len(faults.items)
    organisation = _required(fields, "organisation", faults, where)
    role = _required(fields, "role", faults, where)
    staff = _count(fields, "staff", faults, where)
    if len(faults.items) > before:
        return None
    return WorkforceLine(organisation=clean_name(organisation), role=clean_name(role),
                         staff=staff, as_at=_value(fields, "as_at"),
                         source=_text(fields, "source"))


CHECKS = {"buildings": check_building, "counts": check_count, "fleet": check_fleet,
          "workforce": check_workforce}


def _unique_key(kind: str, record: Any) -> tuple[str, ...]:
    org = name_key(record.organisation)
    if kind == "buildings":
        return (org, name_key(record.name))
    if kind == "fleet":
        return (org, name_key(record.vehicle_type or ""))
    if kind == "workforce":
        return (org, name_key(record.role))
    return (org,)


_DUPLICATE = {"buildings": "name", "counts": "organisation", "fleet": "vehicle_type",
              "workforce": "role"}


def check_file(kind: str, rows: Sequence[Row], known: dict[str, Organisation],
               faults: Faults) -> None:
    """Rules across rows: one line per thing, one service per organisation (and the one
    already recorded), and a fleet given either whole or by vehicle type, not both."""
    seen: dict[tuple[str, ...], int] = {}
    services: dict[str, tuple[str, int]] = {}
    whole_fleet: dict[str, bool] = {}
    for row in rows:
        rec, where = row.record, f"row {row.line}"
        key = _unique_key(kind, rec)
        if key in seen:
            faults.add(f"{where}: {_DUPLICATE[kind]}", f"repeats row {seen[key]}")
        seen.setdefault(key, row.line)
        org = name_key(rec.organisation)
        stored = known.get(org)
        if stored is not None and row.service and row.service != stored.service:
            faults.add(f"{where}: service",
                       f"{stored.name} is recorded as a {stored.service} organisation")
        elif stored is None:
            if row.service is None and org not in services:
                faults.add(f"{where}: service",
                           f"is required for an organisation not yet known ({rec.organisation})")
            elif row.service and org in services and services[org][0] != row.service:
                faults.add(f"{where}: service",
                           f"row {services[org][1]} gives {rec.organisation} as "
                           f"{services[org][0]}")
            elif row.service:
                services.setdefault(org, (row.service, row.line))
        if kind == "fleet":
            whole = rec.vehicle_type is None
            if whole_fleet.setdefault(org, whole) != whole:
                faults.add(f"{where}: vehicle_type", "an organisation's fleet is given either "
                           "as one line for all vehicles or by vehicle type, not both")


# ---------------------------------------------------------------------------------------
# The report (Exhibits 3, 5 and 6)


def share_pct(part: int, whole: int) -> float:
    """Percent to one decimal place, halves rounded up as the report does (4.65 -> 4.7)."""
    if whole <= 0:
        return 0.0
    pct = Decimal(part) * 100 / Decimal(whole)
    return float(pct.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def whole_pounds(pence: int, per: int = 1) -> int:
    if per <= 0:
        return 0
    return int((Decimal(pence) / 100 / per).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def service_order(service: str, name: str) -> tuple[int, str]:
    return (SERVICES.index(service) if service in SERVICES else len(SERVICES), name)


class EstateLine(msgspec.Struct, kw_only=True):
    organisation: str
    service: Service
    buildings: int
    shared: int
    shared_pct: float
    owned: int | None = None
    leased: int | None = None
    basis: Literal["buildings", "counts"]


def estate_lines(orgs: dict[str, Organisation], counts: Iterable[BuildingCount],
                 buildings: Iterable[Building]) -> list[EstateLine]:
    by_org: dict[str, list[Building]] = {}
    for b in buildings:
        by_org.setdefault(name_key(b.organisation), []).append(b)
    lines = []
    for key, items in by_org.items():
        o = orgs[key]
        shared = sum(1 for b in items if b.shared_with)
        lines.append(EstateLine(
            organisation=o.name, service=o.service, buildings=len(items), shared=shared,
            shared_pct=share_pct(shared, len(items)), basis="buildings",
            owned=sum(1 for b in items if b.tenure == "owned"),
            leased=sum(1 for b in items if b.tenure == "leased")))
    for c in counts:
        key = name_key(c.organisation)
        if key in by_org:
            continue
        o = orgs[key]
        lines.append(EstateLine(
            organisation=o.name, service=o.service, buildings=c.buildings, shared=c.shared,
            shared_pct=share_pct(c.shared, c.buildings), owned=c.owned, leased=c.leased,
            basis="counts"))
    return sorted(lines, key=lambda x: service_order(x.service, x.organisation))


def _sum_or_none(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


class EstateTotal(msgspec.Struct, kw_only=True):
    buildings: int
    shared: int
    shared_pct: float
    owned: int | None = None
    leased: int | None = None


def estate_total(lines: Sequence[EstateLine]) -> EstateTotal:
    buildings = sum(x.buildings for x in lines)
    shared = sum(x.shared for x in lines)
    return EstateTotal(buildings=buildings, shared=shared,
                       shared_pct=share_pct(shared, buildings),
                       owned=_sum_or_none([x.owned for x in lines]) if lines else None,
                       leased=_sum_or_none([x.leased for x in lines]) if lines else None)


class ServiceShare(msgspec.Struct, kw_only=True):
    service: Service
    organisations: int
    buildings: int
    shared: int
    shared_pct: float


def service_shares(lines: Sequence[EstateLine]) -> list[ServiceShare]:
    out: dict[str, list[EstateLine]] = {}
    for x in lines:
        out.setdefault(x.service, []).append(x)
    return [ServiceShare(service=s, organisations=len(xs), buildings=sum(x.buildings for x in xs),
                         shared=sum(x.shared for x in xs),
                         shared_pct=share_pct(sum(x.shared for x in xs),
                                              sum(x.buildings for x in xs)))
            for s, xs in sorted(out.items(), key=lambda kv: service_order(kv[0], ""))]


class VehicleType(msgspec.Struct, kw_only=True):
    vehicle_type: str
    vehicles: int
    maintenance_cost: float
    mileage: int | None = None


class FleetRow(msgspec.Struct, kw_only=True):
    organisation: str
    service: Service
    vehicles: int
    maintenance_cost: float  # pounds a year
    cost_per_vehicle: int  # whole pounds, as Exhibit 5
    mileage: int | None = None
    by_type: list[VehicleType] = []


class FleetTotal(msgspec.Struct, kw_only=True):
    vehicles: int
    maintenance_cost: float
    cost_per_vehicle: int
    mileage: int | None = None


class FleetTable(msgspec.Struct, kw_only=True):
    organisations: list[FleetRow]
    total: FleetTotal


def fleet_table(orgs: dict[str, Organisation], lines: Iterable[FleetLine]) -> FleetTable:
    by_org: dict[str, list[FleetLine]] = {}
    for f in lines:
        by_org.setdefault(name_key(f.organisation), []).append(f)
    rows = []
    for key, items in by_org.items():
        o = orgs[key]
        vehicles = sum(f.vehicles for f in items)
        pence = sum(f.maintenance_cost_pence for f in items)
        rows.append(FleetRow(
            organisation=o.name, service=o.service, vehicles=vehicles,
            maintenance_cost=pence / 100, cost_per_vehicle=whole_pounds(pence, vehicles),
            mileage=_sum_or_none([f.mileage for f in items]),
            by_type=[VehicleType(vehicle_type=f.vehicle_type, vehicles=f.vehicles,
                                 maintenance_cost=f.maintenance_cost_pence / 100,
                                 mileage=f.mileage)
                     for f in items if f.vehicle_type is not None]))
    rows.sort(key=lambda r: service_order(r.service, r.organisation))
    vehicles = sum(r.vehicles for r in rows)
    pence = sum(f.maintenance_cost_pence for items in by_org.values() for f in items)
    return FleetTable(organisations=rows, total=FleetTotal(
        vehicles=vehicles, maintenance_cost=pence / 100,
        cost_per_vehicle=whole_pounds(pence, vehicles),
        mileage=_sum_or_none([r.mileage for r in rows]) if rows else None))


class WorkforceRow(msgspec.Struct, kw_only=True):
    organisation: str
    service: Service
    roles: dict[str, int]
    total: int


class WorkforceTotal(msgspec.Struct, kw_only=True):
    roles: dict[str, int]
    total: int


class WorkforceTable(msgspec.Struct, kw_only=True):
    roles: list[str]  # in the order first given, for a table's columns
    organisations: list[WorkforceRow]
    total: WorkforceTotal


def workforce_table(orgs: dict[str, Organisation],
                    lines: Iterable[WorkforceLine]) -> WorkforceTable:
    roles: dict[str, int] = {}
    by_org: dict[str, dict[str, int]] = {}
    for w in lines:
        roles[w.role] = roles.get(w.role, 0) + w.staff
        staff = by_org.setdefault(name_key(w.organisation), {})
        staff[w.role] = staff.get(w.role, 0) + w.staff
    rows = sorted((WorkforceRow(organisation=orgs[k].name, service=orgs[k].service, roles=r,
                                total=sum(r.values())) for k, r in by_org.items()),
                  key=lambda r: service_order(r.service, r.organisation))
    return WorkforceTable(roles=list(roles), organisations=rows,
                          total=WorkforceTotal(roles=roles, total=sum(roles.values())))


# ---------------------------------------------------------------------------------------
# Places and distances


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


def within(buildings: Iterable[StoredBuilding], centre: tuple[float, float],
           radius_m: float) -> list[tuple[float, StoredBuilding]]:
    """Located buildings no further than `radius_m` from `centre` (the edge counts),
    nearest first."""
    found = [(planar_m(centre, (s.building.easting, s.building.northing)), s)
             for s in buildings if s.building.located]
    return sorted(((m, s) for m, s in found if m <= radius_m), key=lambda x: (x[0], x[1].id))


def already_together(a: Building, b: Building) -> bool:
    """Either building already has the other's organisation working from it."""
    return (name_key(b.organisation) in {name_key(s) for s in a.shared_with}
            or name_key(a.organisation) in {name_key(s) for s in b.shared_with})


def co_location_pairs(buildings: Iterable[StoredBuilding], max_m: float,
                      limit: int) -> list[tuple[float, StoredBuilding, StoredBuilding]]:
    """Pairs of buildings of different services no more than `max_m` apart, not already
    shared between the two organisations, nearest first (ties by id, so the order is
    stable).

    A sweep along eastings keeps this near O(n log n) for an estate of a few thousand."""
    items = sorted((s for s in buildings if s.building.located),
                   key=lambda s: (s.building.easting, s.id))
    pairs = []
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if b.building.easting - a.building.easting > max_m:
                break
            if a.service == b.service or already_together(a.building, b.building):
                continue
            m = planar_m((a.building.easting, a.building.northing),
                         (b.building.easting, b.building.northing))
            if m <= max_m:
                first, second = (a, b) if a.id < b.id else (b, a)
                pairs.append((m, first, second))
    pairs.sort(key=lambda p: (p[0], p[1].id, p[2].id))
    return pairs[:limit]
