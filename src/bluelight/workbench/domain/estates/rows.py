"""Checking rows of a CSV return. `fields` are a row's typed values (the CSV adapter
parsed numbers, money and dates); `where` prefixes every fault, e.g. "row 12"."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import msgspec

from bluelight.kernel.errors import Faults
from bluelight.kernel.geography import (
    BNG_EASTING,
    BNG_NORTHING,
    CONSISTENCY_TOLERANCE_M,
    WGS84_LAT,
    WGS84_LON,
)
from bluelight.wire.service import Service
from bluelight.workbench.domain.estates.names import clean_name, name_key
from bluelight.workbench.domain.estates.records import (
    BUILDING_TYPES,
    ESTATES_SERVICES,
    TENURES,
    Building,
    BuildingCount,
    FleetLine,
    Organisation,
    Row,
    WorkforceLine,
)

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
MAX_UPRN = 999_999_999_999  # UPRNs are at most 12 digits (GeoPlace)


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


def row_service(fields: dict[str, Any], faults: Faults, where: str) -> Service | None:
    value = _choice(fields, "service", ESTATES_SERVICES, faults, where, required=False)
    return None if value is None else Service(value)


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
    services: dict[str, tuple[Service, int]] = {}
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
