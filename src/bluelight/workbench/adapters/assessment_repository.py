"""Self-assessments in the workbench's SQLite file, through SQLAlchemy Core: the
`AssessmentRepository` port, on the connection of one transaction of the unit of work
(`adapters.unit_of_work`), so an assessment and its answers and actions are written
together or not at all."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from bluelight.kernel.errors import Conflict
from bluelight.workbench.adapters.assessment_tables import (
    assessment_actions,
    assessment_answers,
    assessments,
)
from bluelight.workbench.domain.assessment import (
    STATEMENT_IDS,
    Answer,
    Assessment,
    AssessmentStatus,
    ImprovementAction,
    Rating,
    Respondent,
    partnership_key,
    respondent_key,
)

_ORDER = {sid: i for i, sid in enumerate(STATEMENT_IDS)}


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite keeps no zone; everything is written in UTC.
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


class SqlAssessmentRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, assessment_id: str) -> Assessment | None:
        found = self._load(select(assessments).where(assessments.c.id == assessment_id))
        return found[0] if found else None

    def find(self, partnership: str, year: int, respondent: Respondent) -> Assessment | None:
        found = self._load(select(assessments).where(
            assessments.c.partnership_key == partnership_key(partnership),
            assessments.c.year == year,
            assessments.c.respondent_key == respondent_key(respondent)))
        return found[0] if found else None

    def matching(self, partnership: str | None = None, years: list[int] | None = None,
             status: AssessmentStatus | None = None) -> list[Assessment]:
        query = select(assessments)
        if partnership is not None:
            query = query.where(assessments.c.partnership_key == partnership_key(partnership))
        if years is not None:
            query = query.where(assessments.c.year.in_(years))
        if status is not None:
            query = query.where(assessments.c.status == status.value)
        return self._load(query.order_by(assessments.c.partnership_key, assessments.c.year,
                                         assessments.c.respondent_key))

    def add(self, assessment: Assessment) -> None:
        try:
            self.conn.execute(insert(assessments).values(**self._row(assessment)))
        except IntegrityError:
            raise self._duplicate(assessment) from None
        self._write_answers(assessment)

    def save(self, assessment: Assessment) -> None:
        try:
            self.conn.execute(update(assessments).where(assessments.c.id == assessment.id)
                              .values(**self._row(assessment)))
        except IntegrityError:
            raise self._duplicate(assessment) from None
        self._write_answers(assessment)

    def delete(self, assessment_id: str) -> None:
        self._delete_answers(assessment_id)
        self.conn.execute(delete(assessments).where(assessments.c.id == assessment_id))

    # --- rows ----------------------------------------------------------------------------

    @staticmethod
    def _duplicate(assessment: Assessment) -> Conflict:
        r = assessment.respondent
        return Conflict(f"{r.name} ({r.organisation}) already has an assessment of "
                        f"{assessment.partnership!r} for {assessment.year}")

    @staticmethod
    def _row(a: Assessment) -> dict:
        return {
            "id": a.id, "partnership": a.partnership,
            "partnership_key": partnership_key(a.partnership), "year": a.year,
            "respondent_name": a.respondent.name,
            "respondent_organisation": a.respondent.organisation,
            "respondent_role": a.respondent.role, "respondent_key": respondent_key(a.respondent),
            "status": a.status.value, "recorded_by": a.recorded_by,
            "created_at": a.created_at, "updated_at": a.updated_at,
            "submitted_at": a.submitted_at,
        }

    def _write_answers(self, a: Assessment) -> None:
        self._delete_answers(a.id)
        if a.answers:
            self.conn.execute(insert(assessment_answers), [
                {"assessment_id": a.id, "statement_id": ans.statement,
                 "rating": ans.rating.value if ans.rating else None, "evidence": ans.evidence}
                for ans in a.answers])
        actions = [{"assessment_id": a.id, "statement_id": ans.statement, "position": i,
                    "text": act.text, "owner": act.owner, "due": act.due}
                   for ans in a.answers for i, act in enumerate(ans.actions)]
        if actions:
            self.conn.execute(insert(assessment_actions), actions)

    def _delete_answers(self, assessment_id: str) -> None:
        self.conn.execute(delete(assessment_actions)
                          .where(assessment_actions.c.assessment_id == assessment_id))
        self.conn.execute(delete(assessment_answers)
                          .where(assessment_answers.c.assessment_id == assessment_id))

    def _load(self, query) -> list[Assessment]:
        rows = self.conn.execute(query).mappings().all()
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        actions: dict[tuple[str, str], list[ImprovementAction]] = {}
        for r in self.conn.execute(select(assessment_actions)
                                   .where(assessment_actions.c.assessment_id.in_(ids))
                                   .order_by(assessment_actions.c.position)).mappings():
            actions.setdefault((r["assessment_id"], r["statement_id"]), []).append(
                ImprovementAction(text=r["text"], owner=r["owner"], due=r["due"]))
        answers: dict[str, list[Answer]] = {}
        for r in self.conn.execute(select(assessment_answers)
                                   .where(assessment_answers.c.assessment_id.in_(ids))
                                   ).mappings():
            answers.setdefault(r["assessment_id"], []).append(Answer(
                statement=r["statement_id"],
                rating=Rating(r["rating"]) if r["rating"] else None,
                evidence=r["evidence"],
                actions=actions.get((r["assessment_id"], r["statement_id"]), [])))
        return [Assessment(
            id=r["id"], partnership=r["partnership"], year=r["year"],
            respondent=Respondent(name=r["respondent_name"],
                                  organisation=r["respondent_organisation"],
                                  role=r["respondent_role"]),
            status=AssessmentStatus(r["status"]),
            answers=sorted(answers.get(r["id"], []), key=lambda a: _ORDER.get(a.statement, 99)),
            created_at=_utc(r["created_at"]), updated_at=_utc(r["updated_at"]),
            submitted_at=_utc(r["submitted_at"]), recorded_by=r["recorded_by"],
        ) for r in rows]
