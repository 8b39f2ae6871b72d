"""The report: Exhibits 3 (estate), 5 (fleet) and 6 (workforce), per organisation in
Exhibit 3's order of services, with totals rounded as the report rounds them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import msgspec

from bluelight.wire.service import Service
from bluelight.workbench.domain.estates.names import name_key
from bluelight.workbench.domain.estates.records import (
    ESTATES_SERVICES,
    Building,
    BuildingCount,
    FleetLine,
    Organisation,
    WorkforceLine,
)


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
    """Exhibit 3's order of services, then by name."""
    known = ESTATES_SERVICES
    return (known.index(service) if service in known else len(known), name)


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
