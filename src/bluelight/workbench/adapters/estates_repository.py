"""The estates tables in SQLite, through SQLAlchemy Core: the `EstatesRepository` port,
on the connection of one transaction of the unit of work (`adapters.unit_of_work`), so
an import is stored whole or not at all."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select

from bluelight.workbench.adapters import estates_tables as t
from bluelight.workbench.domain.estates import (
    Building,
    BuildingCount,
    EstatesDataset,
    FleetLine,
    Organisation,
    WorkforceLine,
    name_key,
    slug,
)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class SqlEstatesRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- datasets ----------------------------------------------------------------------

    def dataset(self, dataset_id: str) -> EstatesDataset | None:
        row = self.conn.execute(select(t.datasets).where(t.datasets.c.id == dataset_id)).first()
        return self._dataset_info(row) if row else None

    def add_dataset(self, dataset_id: str, title: str, synthetic: bool) -> None:
        self.conn.execute(insert(t.datasets).values(id=dataset_id, title=title,
                                                    synthetic=synthetic,
                                                    created_at=time.time()))

    def datasets(self) -> list[EstatesDataset]:
        rows = self.conn.execute(select(t.datasets).order_by(t.datasets.c.created_at)).all()
        return [self._dataset_info(row) for row in rows]

    def _dataset_info(self, row: Any) -> EstatesDataset:
        def count(table) -> int:
            return self.conn.execute(select(func.count()).select_from(table)
                                     .where(table.c.dataset_id == row.id)).scalar_one()

        return EstatesDataset(id=row.id, title=row.title, synthetic=bool(row.synthetic),
                           buildings=count(t.buildings), counts=count(t.building_counts),
                           fleet_lines=count(t.fleet), workforce_lines=count(t.workforce))

    # -- organisations -----------------------------------------------------------------

    def organisations(self) -> dict[str, Organisation]:
        rows = self.conn.execute(select(t.organisations)).all()
        return {r.name_key: Organisation(id=r.id, name=r.name, service=r.service) for r in rows}

    def add_organisation(self, name: str, service: str) -> Organisation:
        taken = set(self.conn.execute(select(t.organisations.c.id)).scalars())
        base = slug(name)
        org_id, n = base, 1
        while org_id in taken:
            n += 1
            org_id = f"{base}-{n}"
        self.conn.execute(insert(t.organisations).values(id=org_id, name=name,
                                                         name_key=name_key(name),
                                                         service=service))
        return Organisation(id=org_id, name=name, service=service)

    # -- writing -----------------------------------------------------------------------

    def replace(self, kind: str, dataset_id: str, organisation_ids: list[str],
                records: list[tuple[str, Any]]) -> None:
        """Replace, for each organisation named, its lines of `kind` in the dataset."""
        table = _TABLES[kind]
        if organisation_ids:
            self.conn.execute(delete(table).where(and_(
                table.c.dataset_id == dataset_id,
                table.c.organisation_id.in_(organisation_ids))))
        values = [{"dataset_id": dataset_id, "organisation_id": org_id, **_row(kind, rec)}
                  for org_id, rec in records]
        if values:
            self.conn.execute(insert(table), values)

    # -- reading -----------------------------------------------------------------------

    def _names(self) -> dict[str, tuple[str, str]]:
        return {r.id: (r.name, r.service)
                for r in self.conn.execute(select(t.organisations)).all()}

    def building_counts(self, dataset_id: str) -> list[BuildingCount]:
        names = self._names()
        rows = self.conn.execute(select(t.building_counts).where(
            t.building_counts.c.dataset_id == dataset_id)).all()
        return [BuildingCount(organisation=names[r.organisation_id][0], buildings=r.buildings,
                              shared=r.shared, owned=r.owned, leased=r.leased,
                              as_at=_date(r.as_at), source=r.source) for r in rows]

    def buildings(self, dataset_id: str, *, organisation_id: str | None = None,
                  box: tuple[float, float, float, float] | None = None
                  ) -> list[Building]:
        """Buildings of the dataset; `box` = (min E, min N, max E, max N) keeps only
        located buildings inside it (a cheap first cut before exact distances)."""
        c = t.buildings.c
        query = select(t.buildings).where(c.dataset_id == dataset_id)
        if organisation_id:
            query = query.where(c.organisation_id == organisation_id)
        if box:
            query = query.where(c.easting.between(box[0], box[2]),
                                c.northing.between(box[1], box[3]))
        names = self._names()
        out = []
        for r in self.conn.execute(query.order_by(c.id)).all():
            org_name, service = names[r.organisation_id]
            out.append(Building(
                id=r.id, organisation=org_name, service=service, name=r.name, type=r.type,
                tenure=r.tenure, address=r.address, postcode=r.postcode, uprn=r.uprn,
                easting=r.easting, northing=r.northing, lat=r.lat, lon=r.lon,
                shared_with=json.loads(r.shared_with)))
        return out

    def fleet(self, dataset_id: str) -> list[FleetLine]:
        names = self._names()
        rows = self.conn.execute(select(t.fleet).where(t.fleet.c.dataset_id == dataset_id)
                                 .order_by(t.fleet.c.id)).all()
        return [FleetLine(organisation=names[r.organisation_id][0], vehicle_type=r.vehicle_type,
                          vehicles=r.vehicles, maintenance_cost_pence=r.maintenance_cost_pence,
                          mileage=r.mileage, as_at=_date(r.as_at), source=r.source)
                for r in rows]

    def workforce(self, dataset_id: str) -> list[WorkforceLine]:
        names = self._names()
        rows = self.conn.execute(select(t.workforce)
                                 .where(t.workforce.c.dataset_id == dataset_id)
                                 .order_by(t.workforce.c.id)).all()
        return [WorkforceLine(organisation=names[r.organisation_id][0], role=r.role,
                              staff=r.staff, as_at=_date(r.as_at), source=r.source)
                for r in rows]


_TABLES = {"buildings": t.buildings, "counts": t.building_counts, "fleet": t.fleet,
           "workforce": t.workforce}


def _row(kind: str, rec: Any) -> dict[str, Any]:
    if kind == "buildings":
        return {"name": rec.name, "type": rec.type, "tenure": rec.tenure,
                "address": rec.address, "postcode": rec.postcode, "uprn": rec.uprn,
                "easting": rec.easting, "northing": rec.northing, "lat": rec.lat,
                "lon": rec.lon, "shared_with": json.dumps(rec.shared_with)}
    if kind == "counts":
        return {"buildings": rec.buildings, "shared": rec.shared, "owned": rec.owned,
                "leased": rec.leased, "as_at": _iso(rec.as_at), "source": rec.source}
    if kind == "fleet":
        return {"vehicle_type": rec.vehicle_type, "vehicles": rec.vehicles,
                "maintenance_cost_pence": rec.maintenance_cost_pence, "mileage": rec.mileage,
                "as_at": _iso(rec.as_at), "source": rec.source}
    return {"role": rec.role, "staff": rec.staff, "as_at": _iso(rec.as_at),
            "source": rec.source}
