"""Use cases of the self-assessment: answer the Audit Wales checklist as a draft, submit
it, and compare assessments year on year and across respondents, as tables or as the data
of a radar chart.

Storage is reached through the unit of work (one transaction per use case), so the HTTP
API, the CLI and the tests share these functions with any repository that fits the
port."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable

import msgspec

from bluelight.kernel.errors import Faults, FieldFault, Invalid, NotFound
from bluelight.workbench.domain.assessment import (
    APPENDIX,
    CHECKLIST,
    DOCUMENT,
    MAX_POINTS,
    POINTS,
    SUCCESS_FACTORS,
    Answer,
    AnswerBody,
    Assessment,
    AssessmentChanges,
    AssessmentStatus,
    NewAssessment,
    Rating,
    Respondent,
    RespondentComparison,
    Score,
    Statement,
    SuccessFactor,
    YearComparison,
    check_complete,
    check_draft,
    clean_answers,
    clean_partnership,
    clean_respondent,
    compare_respondents,
    compare_years,
    mean_points,
    merge_answers,
    partnership_key,
    percentage,
    respondent_key,
    score,
    statement,
    unanswered,
)
from bluelight.workbench.services.ports import AssessmentRepository, Repositories, UnitOfWork

RECOMMENDATION_R9 = (
    "R9 We recommend that the Strategic Collaboration Board workstreams use our "
    "self-reflection tool to evaluate their work programmes and identify where activity "
    "needs to improve (the tool is set out in Appendix 4)."
)
MAX_SERIES = 8  # a radar with more overlaid polygons is unreadable
MAX_YEARS = 20


# --- views ----------------------------------------------------------------------------


class ScaleStep(msgspec.Struct, kw_only=True):
    rating: Rating
    label: str
    points: int


class Checklist(msgspec.Struct, kw_only=True):
    document: str
    section: str
    recommendation: str
    scale: list[ScaleStep]
    statements: list[Statement]
    success_factors: list[SuccessFactor]


class AssessmentView(Assessment, kw_only=True):
    score: Score
    unanswered: list[str]  # statement ids still without a rating


class AssessmentSummary(msgspec.Struct, kw_only=True):
    id: str
    partnership: str
    year: int
    respondent: Respondent
    status: AssessmentStatus
    answered: int
    percentage: float | None
    updated_at: dt.datetime
    submitted_at: dt.datetime | None = None


class RadarAxis(msgspec.Struct, kw_only=True):
    key: str
    label: str
    text: str


class RadarSeries(msgspec.Struct, kw_only=True):
    """Values aligned with the axes, from 0 to the radar's maximum; None = no answer."""

    name: str
    values: list[float | None]
    note: str = ""


class RadarLevel(msgspec.Struct, kw_only=True):
    value: float
    label: str


class Radar(msgspec.Struct, kw_only=True):
    title: str
    description: str
    axes: list[RadarAxis]
    series: list[RadarSeries]
    max_value: float = MAX_POINTS
    levels: list[RadarLevel] = []


class ImportOutcome(msgspec.Struct, kw_only=True):
    created: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    submitted: list[str] = []


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _new_id() -> str:
    return f"as-{uuid.uuid4().hex[:16]}"


def view(assessment: Assessment) -> AssessmentView:
    return AssessmentView(**msgspec.structs.asdict(assessment),
                          score=score(assessment.ratings()),
                          unanswered=unanswered(assessment))


def summary(assessment: Assessment) -> AssessmentSummary:
    s = score(assessment.ratings())
    return AssessmentSummary(id=assessment.id, partnership=assessment.partnership,
                             year=assessment.year, respondent=assessment.respondent,
                             status=assessment.status, answered=s.answered,
                             percentage=s.percentage, updated_at=assessment.updated_at,
                             submitted_at=assessment.submitted_at)


def checklist() -> Checklist:
    return Checklist(
        document=DOCUMENT, section=APPENDIX, recommendation=RECOMMENDATION_R9,
        scale=[ScaleStep(rating=r, label=r.value.capitalize(), points=POINTS[r])
               for r in Rating],
        statements=list(CHECKLIST), success_factors=list(SUCCESS_FACTORS))


def _check_new(body: NewAssessment, field: str = "") -> tuple[str, Respondent, list[Answer]]:
    faults = Faults()
    prefix = f"{field}." if field else ""
    partnership = clean_partnership(body.partnership, faults, f"{prefix}partnership")
    respondent = clean_respondent(body.respondent, faults, f"{prefix}respondent")
    answers = clean_answers(body.answers, faults, f"{prefix}answers")
    faults.raise_if_any()
    return partnership, respondent, merge_answers([], answers)


def _years(years: Iterable[int]) -> list[int]:
    chosen = sorted(set(years))
    if not chosen:
        raise Invalid.field("years", "name at least one year")
    if len(chosen) > MAX_YEARS:
        raise Invalid.field("years", f"at most {MAX_YEARS} years")
    return chosen


class SelfAssessments:
    def __init__(self, uow: UnitOfWork, clock: Callable[[], dt.datetime] = _now,
                 new_id: Callable[[], str] = _new_id) -> None:
        self.uow = uow
        self.clock = clock
        self.new_id = new_id

    # --- one assessment ------------------------------------------------------------------

    def create(self, body: NewAssessment, recorded_by: str | None = None) -> AssessmentView:
        partnership, respondent, answers = _check_new(body)
        now = self.clock()
        assessment = Assessment(id=self.new_id(), partnership=partnership, year=body.year,
                                respondent=respondent, status=AssessmentStatus.DRAFT, answers=answers,
                                created_at=now, updated_at=now, recorded_by=recorded_by)
        self.uow.run(lambda tx: tx.assessments.add(assessment))
        return view(assessment)

    def get(self, assessment_id: str) -> AssessmentView:
        return view(self.uow.run(lambda tx: self._get(tx.assessments, assessment_id)))

    def change(self, assessment_id: str, changes: AssessmentChanges) -> AssessmentView:
        faults = Faults()
        values: dict = {}
        if changes.partnership is not msgspec.UNSET:
            values["partnership"] = clean_partnership(changes.partnership, faults)
        if changes.year is not msgspec.UNSET:
            values["year"] = changes.year
        if changes.respondent is not msgspec.UNSET:
            values["respondent"] = clean_respondent(changes.respondent, faults)
        answers = ([] if changes.answers is msgspec.UNSET
                   else clean_answers(changes.answers, faults))
        faults.raise_if_any()

        def job(tx: Repositories) -> Assessment:
            current = self._get(tx.assessments, assessment_id)
            check_draft(current)
            changed = msgspec.structs.replace(
                current, **values, answers=merge_answers(current.answers, answers),
                updated_at=self.clock())
            tx.assessments.save(changed)
            return changed

        return view(self.uow.run(job))

    def answer(self, assessment_id: str, statement_id: str, body: AnswerBody) -> AssessmentView:
        if statement(statement_id) is None:
            raise NotFound(f"no checklist statement {statement_id!r} (A4-01 to A4-16)")
        answer = Answer(statement=statement_id, rating=body.rating, evidence=body.evidence,
                        actions=body.actions)
        return self.change(assessment_id, AssessmentChanges(answers=[answer]))

    def submit(self, assessment_id: str) -> AssessmentView:
        def job(tx: Repositories) -> Assessment:
            current = self._get(tx.assessments, assessment_id)
            check_draft(current)
            check_complete(current)
            now = self.clock()
            submitted = msgspec.structs.replace(current, status=AssessmentStatus.SUBMITTED,
                                                submitted_at=now, updated_at=now)
            tx.assessments.save(submitted)
            return submitted

        return view(self.uow.run(job))

    def withdraw(self, assessment_id: str) -> None:
        """Delete a draft; a submitted assessment is a record and stays."""
        def job(tx: Repositories) -> None:
            check_draft(self._get(tx.assessments, assessment_id))
            tx.assessments.delete(assessment_id)

        self.uow.run(job)

    def list(self, partnership: str | None = None, year: int | None = None,
             status: AssessmentStatus | None = None) -> list[AssessmentSummary]:
        found = self.uow.run(lambda tx: tx.assessments.matching(
            partnership, [year] if year is not None else None, status))
        return [summary(a) for a in found]

    @staticmethod
    def _get(repo: AssessmentRepository, assessment_id: str) -> Assessment:
        found = repo.get(assessment_id)
        if found is None:
            raise NotFound(f"no assessment {assessment_id}")
        return found

    # --- comparisons --------------------------------------------------------------------

    def _compared(self, partnership: str, years: list[int], include_drafts: bool
                  ) -> tuple[str, list[Assessment]]:
        faults = Faults()
        partnership = clean_partnership(partnership, faults)
        faults.raise_if_any()
        found = self.uow.run(lambda tx: tx.assessments.matching(
            partnership, years, None if include_drafts else AssessmentStatus.SUBMITTED))
        # The stored spelling, not the caller's, names the partnership.
        return (found[-1].partnership if found else partnership), found

    def compare_years(self, partnership: str, years: Iterable[int],
                      include_drafts: bool = False) -> YearComparison:
        chosen = _years(years)
        name, found = self._compared(partnership, chosen, include_drafts)
        by_year: dict[int, list[Assessment]] = {y: [] for y in chosen}
        for a in found:
            by_year[a.year].append(a)
        return compare_years(name, by_year)

    def compare_respondents(self, partnership: str, year: int,
                            include_drafts: bool = False) -> RespondentComparison:
        name, found = self._compared(partnership, [year], include_drafts)
        return compare_respondents(name, year, found)

    # --- radar charts -------------------------------------------------------------------

    def radar_of(self, assessment_ids: list[str]) -> Radar:
        if not assessment_ids:
            raise Invalid.field("ids", "name at least one assessment")
        if len(assessment_ids) > MAX_SERIES:
            raise Invalid.field("ids", f"at most {MAX_SERIES} assessments in one chart")
        found = self.uow.run(lambda tx: [self._get(tx.assessments, i) for i in assessment_ids])
        series = []
        for a in found:
            s = score(a.ratings())
            series.append(RadarSeries(
                name=f"{a.respondent.name}, {a.respondent.organisation}, {a.year}",
                values=[float(p.points) if p.points is not None else None
                        for p in s.by_statement],
                note=_note(s.percentage, s.answered)))
        partnerships = sorted({a.partnership for a in found})
        title = (f"Self-assessment: {partnerships[0]}" if len(partnerships) == 1
                 else "Self-assessments compared")
        return _radar(title, series)

    def radar_years(self, partnership: str, years: Iterable[int],
                    include_drafts: bool = False) -> Radar:
        comparison = self.compare_years(partnership, years, include_drafts)
        if len(comparison.years) > MAX_SERIES:
            raise Invalid.field("years", f"at most {MAX_SERIES} years in one chart")
        series = []
        for i, year in enumerate(comparison.years):
            values = [t.scores[i] for t in comparison.statements]
            n = len(year.assessments)
            series.append(RadarSeries(
                name=f"{year.year} ({n} respondent{'s' if n != 1 else ''})",
                values=values,
                note=_note(year.percentage, sum(v is not None for v in values))))
        return _radar(f"Self-assessment year on year: {comparison.partnership}", series,
                      "Each year's polygon is the mean of its respondents' points.")

    def radar_respondents(self, partnership: str, year: int,
                          include_drafts: bool = False) -> Radar:
        name, found = self._compared(partnership, [year], include_drafts)
        if not found:
            raise NotFound(f"no {'' if include_drafts else 'submitted '}assessment of "
                           f"{name!r} for {year}")
        if len(found) > MAX_SERIES:
            raise Invalid.field("query.year", f"{len(found)} respondents; a chart shows at "
                                f"most {MAX_SERIES}")
        series = []
        for a in found:
            means = mean_points([a])
            s = score(a.ratings())
            series.append(RadarSeries(
                name=f"{a.respondent.name}, {a.respondent.organisation}",
                values=[means.get(st.id) for st in CHECKLIST],
                note=_note(s.percentage, s.answered)))
        return _radar(f"Self-assessment {year} by respondent: {name}", series)

    # --- import ---------------------------------------------------------------------------

    def import_(self, items: list[NewAssessment], submit: bool = False,
                recorded_by: str | None = None) -> ImportOutcome:
        """Create or replace each respondent's answers, all in one transaction. An
        item matches a stored assessment by partnership, year and respondent; importing
        the same file twice changes nothing."""
        checked = [(_check_new(item, f"[{i}]"), item.year) for i, item in enumerate(items)]
        faults, seen = Faults(), {}
        for i, ((partnership, respondent, _), year) in enumerate(checked):
            key = (partnership_key(partnership), year, respondent_key(respondent))
            if key in seen:
                faults.add(f"[{i}].respondent", f"answers {partnership!r} for {year} again "
                                                f"(already at [{seen[key]}])")
            seen.setdefault(key, i)
        faults.raise_if_any()
        now = self.clock()

        def job(tx: Repositories) -> ImportOutcome:
            repo, outcome = tx.assessments, ImportOutcome()
            for i, ((partnership, respondent, answers), year) in enumerate(checked):
                current = repo.find(partnership, year, respondent)
                if current is not None and current.status is AssessmentStatus.SUBMITTED:
                    if _same(current.answers, answers):
                        outcome.unchanged.append(current.id)
                        continue
                    check_draft(current)  # raises: a submitted record stays as it is
                if current is None:
                    assessment = Assessment(
                        id=self.new_id(), partnership=partnership, year=year,
                        respondent=respondent, status=AssessmentStatus.DRAFT, answers=answers,
                        created_at=now, updated_at=now, recorded_by=recorded_by)
                elif _same(current.answers, answers) and not submit:
                    outcome.unchanged.append(current.id)
                    continue
                else:
                    assessment = msgspec.structs.replace(
                        current, partnership=partnership, respondent=respondent,
                        answers=answers, updated_at=now)
                if submit:
                    try:
                        check_complete(assessment)
                    except Invalid as exc:
                        raise Invalid(f"[{i}] {partnership!r} {year}, {respondent.name}: "
                                      f"{exc.detail}",
                                      [FieldFault(f"[{i}].{f.field}", f.fault)
                                       for f in exc.faults]) from None
                    assessment = msgspec.structs.replace(assessment, status=AssessmentStatus.SUBMITTED,
                                                         submitted_at=now)
                    outcome.submitted.append(assessment.id)
                if current is None:
                    repo.add(assessment)
                    outcome.created.append(assessment.id)
                else:
                    repo.save(assessment)
                    outcome.updated.append(assessment.id)
            return outcome

        return self.uow.run(job)


def _same(a: list[Answer], b: list[Answer]) -> bool:
    return msgspec.json.encode(a) == msgspec.json.encode(b)


def _note(pct: float | None, answered: int) -> str:
    if pct is None:
        return "no statement answered"
    total = len(CHECKLIST)
    return f"{pct:g}% overall" + ("" if answered == total else f", {answered} of {total} answered")


def _radar(title: str, series: list[RadarSeries], extra: str = "") -> Radar:
    description = (
        f"Radar chart of the {len(CHECKLIST)} statements of the Audit Wales self-assessment "
        f"checklist (Appendix 4), one axis each, scored Always 2, Sometimes 1, Never 0; the "
        f"further from the centre, the better. {extra} "
        + " ".join(f"{s.name}: {s.note}." for s in series)
    ).replace("  ", " ")
    return Radar(
        title=title, description=description,
        axes=[RadarAxis(key=s.id, label=f"{s.number}. {s.label}", text=s.text)
              for s in CHECKLIST],
        series=series,
        levels=[RadarLevel(value=POINTS[r], label=r.value.capitalize()) for r in Rating])


__all__ = ["AssessmentView", "Checklist", "ImportOutcome", "Radar", "SelfAssessments",
           "checklist", "percentage"]
