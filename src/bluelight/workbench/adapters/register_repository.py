"""The register in the workbench's SQLite file, through SQLAlchemy Core: the
`RegisterRepository` port, on the connection of one transaction of the unit of work
(`adapters.unit_of_work`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec
from sqlalchemy import and_, delete, exists, func, insert, or_, select, update

from bluelight.workbench.adapters import register_tables as t
from bluelight.workbench.domain.collaboration import (
    Actual,
    Benefit,
    Collaboration,
    Partner,
    Person,
    Provenance,
    StatusChange,
    Workstream,
)
from bluelight.workbench.services.ports import Filters


def _provenance(row: Any) -> Provenance | None:
    if not row.source_document:
        return None
    return Provenance(document=row.source_document, title=row.source_title or "",
                      section=row.source_section or "")


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


class SqlRegisterRepository:
    def __init__(self, conn) -> None:
        self.conn = conn

    # ---- writes ---------------------------------------------------------------------

    def insert_collaboration(self, c: Collaboration) -> None:
        p = c.provenance
        self.conn.execute(insert(t.collaborations).values(
            id=c.id, title=c.title, area=c.area, category=c.category.value,
            description=c.description, status=c.status.value, status_reason=c.status_reason,
            workstream=c.workstream, start_date=c.start_date, target_date=c.target_date,
            end_date=c.end_date, source_document=p.document if p else None,
            source_title=p.title if p else None, source_section=p.section if p else None,
            live_source=c.live_source, created_at=c.created_at, updated_at=c.updated_at))
        self._write_partners(c.id, c.partners)
        self._write_people(c.id, c.people)
        for change in c.status_history:
            self.add_status_change(c.id, change)
        for b in c.benefits:
            self.insert_benefit(b, c.created_at)

    def _write_partners(self, cid: str, partners: list[Partner]) -> None:
        self.conn.execute(delete(t.partners).where(t.partners.c.collaboration_id == cid))
        if partners:
            self.conn.execute(insert(t.partners), [
                {"collaboration_id": cid, "position": i, "organisation": p.organisation,
                 "service": p.service.value} for i, p in enumerate(partners)])

    def _write_people(self, cid: str, people: list[Person]) -> None:
        self.conn.execute(delete(t.people).where(t.people.c.collaboration_id == cid))
        if people:
            self.conn.execute(insert(t.people), [
                {"collaboration_id": cid, "position": i, "name": p.name, "role": p.role,
                 "organisation": p.organisation,
                 "service": p.service.value if p.service else None, "email": p.email,
                 "phone": p.phone, "lead": p.lead} for i, p in enumerate(people)])

    def update_collaboration(self, cid: str, fields: dict[str, Any], updated_at: float,
                             partners: list[Partner] | None = None,
                             people: list[Person] | None = None) -> None:
        values = {k: (v.value if hasattr(v, "value") else v) for k, v in fields.items()}
        self.conn.execute(update(t.collaborations).where(t.collaborations.c.id == cid)
                          .values(**values, updated_at=updated_at))
        if partners is not None:
            self._write_partners(cid, partners)
        if people is not None:
            self._write_people(cid, people)

    def add_status_change(self, cid: str, change: StatusChange) -> None:
        self.conn.execute(insert(t.status_changes).values(
            collaboration_id=cid, status=change.status.value,
            previous=change.previous.value if change.previous else None,
            reason=change.reason, changed_by=change.by, changed_at=change.at))

    def insert_benefit(self, b: Benefit, created_at: float) -> None:
        self.conn.execute(insert(t.benefits).values(
            id=b.id, collaboration_id=b.collaboration_id, measure=b.measure,
            kind=b.kind.value, unit=b.unit.value, better=b.better.value if b.better else None,
            baseline=b.baseline, baseline_date=b.baseline_date, target=b.target,
            target_date=b.target_date, owner=b.owner, evidence=b.evidence,
            created_at=created_at))
        for a in b.actuals:
            self.add_actual(b.id, a)

    def add_actual(self, benefit_id: str, a: Actual) -> None:
        self.conn.execute(insert(t.actuals).values(
            benefit_id=benefit_id, at=a.at, value=a.value, note=a.note,
            recorded_by=a.recorded_by, recorded_at=a.recorded_at or 0.0))

    def upsert_workstream(self, w: Workstream) -> bool:
        """Insert if absent; True when inserted (existing ones keep any edits)."""
        if self.conn.execute(select(t.workstreams.c.id)
                             .where(t.workstreams.c.id == w.id)).first():
            return False
        p = w.provenance
        self.conn.execute(insert(t.workstreams).values(
            id=w.id, name=w.name, description=w.description, lead=w.lead,
            position=w.position, source_document=p.document if p else None,
            source_section=p.section if p else None))
        return True

    # ---- reads ----------------------------------------------------------------------

    def exists(self, cid: str) -> bool:
        return self.conn.execute(select(t.collaborations.c.id)
                                 .where(t.collaborations.c.id == cid)).first() is not None

    def existing_ids(self) -> set[str]:
        return set(self.conn.execute(select(t.collaborations.c.id)).scalars())

    def benefit_owner(self, benefit_id: str) -> str | None:
        """The collaboration a benefit belongs to."""
        return self.conn.execute(select(t.benefits.c.collaboration_id)
                                 .where(t.benefits.c.id == benefit_id)).scalar()

    def benefit_ids(self, cid: str) -> list[str]:
        return list(self.conn.execute(select(t.benefits.c.id)
                                      .where(t.benefits.c.collaboration_id == cid)).scalars())

    def workstream(self, wid: str) -> Workstream | None:
        row = self.conn.execute(select(t.workstreams).where(t.workstreams.c.id == wid)).first()
        return self._workstream(row) if row else None

    def workstreams(self) -> list[Workstream]:
        rows = self.conn.execute(select(t.workstreams)
                                 .order_by(t.workstreams.c.position, t.workstreams.c.id))
        return [self._workstream(r) for r in rows]

    @staticmethod
    def _workstream(r: Any) -> Workstream:
        prov = (Provenance(document=r.source_document, title="", section=r.source_section or "")
                if r.source_document else None)
        return Workstream(id=r.id, name=r.name, description=r.description, lead=r.lead,
                          position=r.position, provenance=prov)

    def get(self, cid: str) -> Collaboration | None:
        found = self.search(Filters(), ids=[cid])
        return found[0] if found else None

    def search(self, f: Filters, ids: list[str] | None = None) -> list[Collaboration]:
        c = t.collaborations.c
        where = []
        if ids is not None:
            where.append(c.id.in_(ids))
        if f.area:
            where.append(func.lower(c.area) == f.area.lower())
        if f.category:
            where.append(c.category == f.category)
        if f.status:
            where.append(c.status == f.status)
        if f.workstream:
            where.append(c.workstream == f.workstream)
        if f.service:
            where.append(exists().where(and_(t.partners.c.collaboration_id == c.id,
                                             t.partners.c.service == f.service)))
        if f.text:
            like = f"%{f.text.lower()}%"
            where.append(or_(
                func.lower(c.title).like(like), func.lower(c.description).like(like),
                func.lower(c.area).like(like),
                exists().where(and_(t.partners.c.collaboration_id == c.id,
                                    func.lower(t.partners.c.organisation).like(like))),
                exists().where(and_(t.people.c.collaboration_id == c.id,
                                    func.lower(t.people.c.name).like(like)))))
        rows = self.conn.execute(select(t.collaborations).where(*where)
                                 .order_by(c.area, c.id)).all()
        if not rows:
            return []
        wanted = [r.id for r in rows]
        return self._assemble(rows, wanted)

    def _children(self, table, key, wanted: list[str], order) -> dict[str, list]:
        out: dict[str, list] = defaultdict(list)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            for r in self.conn.execute(select(table).where(key.in_(chunk)).order_by(*order)):
                out[getattr(r, key.name)].append(r)
        return out

    def _assemble(self, rows: list, wanted: list[str]) -> list[Collaboration]:
        partners = self._children(t.partners, t.partners.c.collaboration_id, wanted,
                                  [t.partners.c.position])
        people = self._children(t.people, t.people.c.collaboration_id, wanted,
                                [t.people.c.position])
        history = self._children(t.status_changes, t.status_changes.c.collaboration_id,
                                 wanted, [t.status_changes.c.id])
        benefit_rows = self._children(t.benefits, t.benefits.c.collaboration_id, wanted,
                                      [t.benefits.c.created_at, t.benefits.c.id])
        benefit_ids = [b.id for bs in benefit_rows.values() for b in bs]
        actual_rows = self._children(t.actuals, t.actuals.c.benefit_id, benefit_ids,
                                     [t.actuals.c.at, t.actuals.c.id])
        result = []
        for r in rows:
            benefits = [msgspec.convert(_clean({
                "id": b.id, "collaboration_id": b.collaboration_id, "measure": b.measure,
                "kind": b.kind, "unit": b.unit, "better": b.better, "baseline": b.baseline,
                "baseline_date": b.baseline_date, "target": b.target,
                "target_date": b.target_date, "owner": b.owner, "evidence": b.evidence,
                "actuals": [_clean({"at": a.at, "value": a.value, "note": a.note,
                                    "recorded_by": a.recorded_by,
                                    "recorded_at": a.recorded_at})
                            for a in actual_rows.get(b.id, [])],
            }), Benefit) for b in benefit_rows.get(r.id, [])]
            collaboration = msgspec.convert(_clean({
                "id": r.id, "title": r.title, "area": r.area, "category": r.category,
                "description": r.description, "status": r.status,
                "status_reason": r.status_reason, "workstream": r.workstream,
                "start_date": r.start_date, "target_date": r.target_date,
                "end_date": r.end_date, "live_source": r.live_source,
                "created_at": r.created_at, "updated_at": r.updated_at,
                "partners": [{"organisation": p.organisation, "service": p.service}
                             for p in partners.get(r.id, [])],
                "people": [_clean({"name": p.name, "role": p.role,
                                   "organisation": p.organisation, "service": p.service,
                                   "email": p.email, "phone": p.phone, "lead": bool(p.lead)})
                           for p in people.get(r.id, [])],
                "status_history": [_clean({"status": h.status, "previous": h.previous,
                                           "reason": h.reason, "by": h.changed_by,
                                           "at": h.changed_at})
                                   for h in history.get(r.id, [])],
            }), Collaboration)
            result.append(msgspec.structs.replace(collaboration, benefits=benefits,
                                                  provenance=_provenance(r)))
        return result

    def areas(self) -> list[tuple[str, int]]:
        c = t.collaborations.c
        return [(a, n) for a, n in self.conn.execute(
            select(c.area, func.count()).group_by(c.area).order_by(c.area))]

    def counts(self) -> dict[str, int]:
        c = t.collaborations.c
        return {
            "collaborations": self.conn.execute(select(func.count()).select_from(
                t.collaborations)).scalar_one(),
            "areas": self.conn.execute(select(func.count(func.distinct(c.area)))).scalar_one(),
            "benefits": self.conn.execute(select(func.count()).select_from(
                t.benefits)).scalar_one(),
            "actuals": self.conn.execute(select(func.count()).select_from(
                t.actuals)).scalar_one(),
            "workstreams": self.conn.execute(select(func.count()).select_from(
                t.workstreams)).scalar_one(),
        }
