"""The Audit Wales self-assessment of a partnership (Appendix 4 of "Joint Working Between
Emergency Services", 2022) and the rules for answering, scoring and comparing it.

Audit Wales recommends (R9) that each Strategic Collaboration Board workstream uses this
self-reflection tool to evaluate its work programme. A respondent answers each of the 16
statements Always, Sometimes or Never, with the evidence behind the answer and the actions
it calls for. The report gives no scores; bluelight counts Always as 2, Sometimes as 1 and
Never as 0 so that answers can be summed, charted and compared (docs/decisions/0015).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec

from bluelight.kernel.errors import Conflict, Faults, FieldFault, Invalid

DOCUMENT = "Audit Wales, Joint Working Between Emergency Services (2022)"
APPENDIX = "Appendix 4: Positive characteristics of emergency services who collaborate effectively"
EXHIBIT = "Exhibit 9: making collaboration work – critical success factors"


class Rating(StrEnum):
    ALWAYS = "always"
    SOMETIMES = "sometimes"
    NEVER = "never"


POINTS: dict[Rating, int] = {Rating.ALWAYS: 2, Rating.SOMETIMES: 1, Rating.NEVER: 0}
MAX_POINTS = 2


class ChecklistSource(msgspec.Struct, frozen=True, kw_only=True):
    document: str
    section: str


class SuccessFactor(msgspec.Struct, frozen=True, kw_only=True):
    """One of Exhibit 9's critical success factors, which the checklist builds on."""

    number: int
    text: str
    source: ChecklistSource


class Statement(msgspec.Struct, frozen=True, kw_only=True):
    """One checklist statement. `text` is the report's wording, unchanged (its grammar
    included); `label` is bluelight's short name for charts, not the report's."""

    id: str
    number: int
    text: str
    label: str
    source: ChecklistSource
    # The Exhibit 9 factor the statement restates, where it restates one.
    factor: int | None = None


_EXHIBIT_9 = ChecklistSource(document=DOCUMENT, section=EXHIBIT)
_APPENDIX_4 = ChecklistSource(document=DOCUMENT, section=APPENDIX)

SUCCESS_FACTORS: tuple[SuccessFactor, ...] = tuple(
    SuccessFactor(number=n, text=text, source=_EXHIBIT_9) for n, text in enumerate((
        "Visible leadership that prioritises the importance of collaboration.",
        "Being clear how collaboration contributes in a meaningful way to taking forward "
        "each agencies vision and strategy.",
        "Contextualising the reasons for change – how demographic, societal, financial and "
        "political issues require different responses from services in the 21st Century.",
        "Being open about the potential areas of conflict and confronting these head on by "
        "openly discussing, assessing and managing them.",
        "Establishing clear protocols around behaviours, regularity of meetings, information "
        "and data sharing, finances, and accountabilities.",
        "Establishing a shared understanding, and an appreciation, of the remit and "
        "limitations of collaboration.",
        "Ability to commit time, energy and resource (including senior leaders time) to "
        "sustain momentum and delivery.",
        "Appreciating the service user’s perspective and involving them in identifying where "
        "collaboration can improve their experience.",
        "Promoting the importance and benefits of collaborative working at the ‘front line’ "
        "and communicating/explaining why it is important.",
        "Creating measures of success that enable you to demonstrate impact and value for "
        "money, and regularly evaluating and reporting performance against these.",
    ), start=1)
)

# (text as the report words it, short label, Exhibit 9 factor). The report's table has
# no headings within it: it only repeats its header row where it breaks across pages.
_STATEMENTS: tuple[tuple[str, str, int | None], ...] = (
    ("We have visible leadership that prioritises the importance of collaboration",
     "Visible leadership", 1),
    ("I trust others within the collaboration, and others trust me",
     "Mutual trust", None),
    ("We are clear how collaboration contributes in a meaningful way to taking forward "
     "each agencies vision and strategy",
     "Contribution to vision and strategy", 2),
    ("We know why and can contextualise the reasons for change – how demographic, "
     "societal, financial and political issues require different responses from services "
     "in the 21st Century",
     "Reasons for change", 3),
    ("We are open about the potential for conflict and confront these head on by openly "
     "discussing, assessing and managing them",
     "Openness about conflict", 4),
    ("We know who will hold the partners together during challenging times",
     "Holding partners together", None),
    ("Individuals are taking specific actions to move the collaboration forward",
     "Individual actions", None),
    ("The most difficult issues are being addressed",
     "Difficult issues addressed", None),
    ("We have clear and effective protocols around behaviours, regularity of meetings, "
     "information and data sharing, finances, and accountabilities",
     "Clear protocols", 5),
    ("Responsibility for coordinating the collaboration process is clear and partners are "
     "committed to sharing responsibility for the collaboration",
     "Shared coordination", None),
    ("We have a shared understanding, and an appreciation, of the remit and limitations of "
     "collaboration",
     "Remit and limitations", 6),
    ("We can commit sufficient time, energy and resource (including senior leaders time) "
     "to sustain momentum and delivery of our collaborative work",
     "Time, energy and resource", 7),
    ("I and my organisation is prepared to create and sustain capacity, and all other "
     "partners are committed to doing the same",
     "Sustained capacity", None),
    ("We value the service user's perspective and involve them in identifying where "
     "collaboration can improve their experience",
     "Service user's perspective", 8),
    ("We promote the importance and benefits of collaborative working at the 'front line' "
     "and communicate and explain why this is important",
     "Front-line promotion", 9),
    ("We have measures of success that enable us to demonstrate impact and value for "
     "money, and regularly evaluate and report performance against these",
     "Measures of success", 10),
)

CHECKLIST: tuple[Statement, ...] = tuple(
    Statement(id=f"A4-{n:02d}", number=n, text=text, label=label, source=_APPENDIX_4,
              factor=factor)
    for n, (text, label, factor) in enumerate(_STATEMENTS, start=1)
)
STATEMENT_IDS: tuple[str, ...] = tuple(s.id for s in CHECKLIST)
_BY_ID = {s.id: s for s in CHECKLIST}


def statement(statement_id: str) -> Statement | None:
    return _BY_ID.get(statement_id)


# --- answers and assessments ------------------------------------------------------------

Text = Annotated[str, msgspec.Meta(max_length=10_000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100, description="Calendar or financial "
                                   "year the assessment is for, e.g. 2023")]
StatementId = Annotated[str, msgspec.Meta(description="A checklist statement id, A4-01 to "
                                          "A4-16", examples=["A4-01"])]


class AssessmentStatus(StrEnum):
    DRAFT = "draft"  # may be partial; can still change
    SUBMITTED = "submitted"  # every statement answered; no longer changes


class Respondent(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    organisation: Name
    role: Annotated[str, msgspec.Meta(max_length=200)] = ""


class ImprovementAction(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True,
             omit_defaults=True):
    """Something to do to move a statement towards Always."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    owner: Annotated[str, msgspec.Meta(max_length=200)] = ""
    due: dt.date | None = None


class Answer(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True,
             omit_defaults=True):
    """A respondent's answer to one statement. A draft may hold evidence or actions
    before its rating is chosen."""

    statement: StatementId
    rating: Rating | None = None
    evidence: Text = ""
    actions: Annotated[list[ImprovementAction], msgspec.Meta(max_length=50)] = []


class AnswerBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True,
                 omit_defaults=True):
    """An answer to the statement named in the path."""

    rating: Rating | None = None
    evidence: Text = ""
    actions: Annotated[list[ImprovementAction], msgspec.Meta(max_length=50)] = []


Answers = Annotated[list[Answer], msgspec.Meta(max_length=len(CHECKLIST))]


class NewAssessment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A respondent's assessment of a partnership for a year; starts as a draft."""

    partnership: Annotated[str, msgspec.Meta(
        min_length=1, max_length=200,
        description="The partnership assessed, e.g. a Strategic Collaboration Board "
                    "workstream", examples=["Strategic Collaboration Board: estates"])]
    year: Year
    respondent: Respondent
    answers: Answers = []


class AssessmentChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Changes to a draft. Only the fields sent change; each answer sent replaces that
    statement's answer, and the others stay as they are."""

    partnership: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType \
        = msgspec.UNSET
    year: Year | msgspec.UnsetType = msgspec.UNSET
    respondent: Respondent | msgspec.UnsetType = msgspec.UNSET
    answers: Answers | msgspec.UnsetType = msgspec.UNSET


class Assessment(msgspec.Struct, kw_only=True):
    id: str
    partnership: str
    year: int
    respondent: Respondent
    status: AssessmentStatus
    answers: list[Answer]  # in checklist order, only statements with something recorded
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None = None
    recorded_by: str | None = None  # the agency that created it; None from the CLI

    def answer(self, statement_id: str) -> Answer | None:
        return next((a for a in self.answers if a.statement == statement_id), None)

    def ratings(self) -> dict[str, Rating]:
        return {a.statement: a.rating for a in self.answers if a.rating is not None}


def partnership_key(name: str) -> str:
    """Two spellings of one partnership that differ only in case or spacing are one."""
    return " ".join(name.split()).casefold()


def respondent_key(respondent: Respondent) -> str:
    """One respondent answers once per partnership and year, however they spell it."""
    return "|".join(" ".join(part.split()).casefold()
                    for part in (respondent.name, respondent.organisation))


def clean_partnership(name: str, faults: Faults, field: str = "partnership") -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        faults.add(field, "must not be blank")
    return cleaned


def clean_respondent(respondent: Respondent, faults: Faults,
                     field: str = "respondent") -> Respondent:
    name, organisation = respondent.name.strip(), respondent.organisation.strip()
    if not name:
        faults.add(f"{field}.name", "must not be blank")
    if not organisation:
        faults.add(f"{field}.organisation", "must not be blank")
    return Respondent(name=name, organisation=organisation, role=respondent.role.strip())


def _clean_answer(answer: Answer, field: str, faults: Faults) -> Answer:
    if statement(answer.statement) is None:
        faults.add(f"{field}.statement", f"{answer.statement!r} is not a checklist statement "
                                         f"(A4-01 to A4-16)")
    actions = []
    for i, action in enumerate(answer.actions):
        if not action.text.strip():
            faults.add(f"{field}.actions[{i}].text", "must not be blank")
        actions.append(ImprovementAction(text=action.text.strip(), owner=action.owner.strip(),
                              due=action.due))
    return Answer(statement=answer.statement, rating=answer.rating,
                  evidence=answer.evidence.strip(), actions=actions)


def clean_answers(answers: list[Answer], faults: Faults, field: str = "answers") -> list[Answer]:
    """Check answers; each statement may be answered once."""
    seen: dict[str, int] = {}
    cleaned = []
    for i, answer in enumerate(answers):
        if answer.statement in seen:
            faults.add(f"{field}[{i}].statement",
                       f"{answer.statement} is already answered at {field}[{seen[answer.statement]}]")
        seen.setdefault(answer.statement, i)
        cleaned.append(_clean_answer(answer, f"{field}[{i}]", faults))
    return cleaned


def merge_answers(current: list[Answer], changes: list[Answer]) -> list[Answer]:
    """The answers after `changes` replace their statements' answers; in checklist order.
    An answer with nothing in it withdraws the statement's answer."""
    by_statement = {a.statement: a for a in current}
    for change in changes:
        by_statement[change.statement] = change
    return [by_statement[sid] for sid in STATEMENT_IDS
            if sid in by_statement and _recorded(by_statement[sid])]


def _recorded(answer: Answer) -> bool:
    return answer.rating is not None or bool(answer.evidence) or bool(answer.actions)


def check_draft(assessment: Assessment) -> None:
    if assessment.status is not AssessmentStatus.DRAFT:
        raise Conflict(f"assessment {assessment.id} was submitted and can no longer change")


def unanswered(assessment: Assessment) -> list[str]:
    rated = assessment.ratings()
    return [sid for sid in STATEMENT_IDS if sid not in rated]


def check_complete(assessment: Assessment) -> None:
    """Submitting needs a rating for every statement; each missing one is named."""
    missing = unanswered(assessment)
    if missing:
        raise Invalid(
            f"rate every statement before submitting; {len(missing)} not answered: "
            f"{', '.join(missing)}",
            [FieldFault(f"answers.{sid}.rating", "is not answered (always, sometimes or never)")
             for sid in missing])


# --- scoring ------------------------------------------------------------------------------


class StatementScore(msgspec.Struct, kw_only=True):
    statement: str
    rating: Rating | None
    points: int | None


class Score(msgspec.Struct, kw_only=True):
    """Always 2, Sometimes 1, Never 0. The percentage is of the answered statements'
    maximum, so a partial draft is not marked down for what it has not answered yet;
    `complete` says whether all 16 are answered."""

    answered: int
    statements: int
    points: int
    max_points: int
    percentage: float | None
    complete: bool
    by_statement: list[StatementScore]


def percentage(points: float, max_points: float) -> float | None:
    return round(100 * points / max_points, 1) if max_points else None


def score(ratings: dict[str, Rating]) -> Score:
    by_statement = [StatementScore(statement=sid, rating=ratings.get(sid),
                                   points=POINTS[ratings[sid]] if sid in ratings else None)
                    for sid in STATEMENT_IDS]
    answered = sum(1 for s in by_statement if s.points is not None)
    points = sum(s.points or 0 for s in by_statement)
    return Score(answered=answered, statements=len(CHECKLIST), points=points,
                 max_points=MAX_POINTS * answered,
                 percentage=percentage(points, MAX_POINTS * answered),
                 complete=answered == len(CHECKLIST), by_statement=by_statement)


# --- comparison --------------------------------------------------------------------------


class Trend(StrEnum):
    IMPROVED = "improved"
    WORSE = "worse"
    SAME = "same"
    UNKNOWN = "unknown"  # fewer than two years with an answer


class YearSummary(msgspec.Struct, kw_only=True):
    year: int
    assessments: list[str]  # the ids averaged for this year
    percentage: float | None


class StatementTrend(msgspec.Struct, kw_only=True):
    """Mean points (0 to 2) per year, aligned with the comparison's years; the change
    is from the earliest to the latest year with an answer."""

    statement: str
    label: str
    scores: list[float | None]
    change: float | None
    trend: Trend


class YearComparison(msgspec.Struct, kw_only=True):
    partnership: str
    years: list[YearSummary]
    statements: list[StatementTrend]
    improved: list[str]
    worse: list[str]
    same: list[str]


def mean_points(assessments: list[Assessment]) -> dict[str, float]:
    """Each statement's mean points over the assessments that rate it."""
    totals: dict[str, list[int]] = {}
    for assessment in assessments:
        for sid, rating in assessment.ratings().items():
            totals.setdefault(sid, []).append(POINTS[rating])
    return {sid: sum(p) / len(p) for sid, p in totals.items()}


def _trend(change: float | None) -> Trend:
    if change is None:
        return Trend.UNKNOWN
    if abs(change) < 1e-9:
        return Trend.SAME
    return Trend.IMPROVED if change > 0 else Trend.WORSE


def compare_years(partnership: str, by_year: dict[int, list[Assessment]]) -> YearComparison:
    years = sorted(by_year)
    means = {year: mean_points(by_year[year]) for year in years}
    summaries = []
    for year in years:
        m = means[year]
        summaries.append(YearSummary(
            year=year, assessments=[a.id for a in by_year[year]],
            percentage=percentage(sum(m.values()), MAX_POINTS * len(m))))
    trends = []
    for s in CHECKLIST:
        scores = [round(means[y][s.id], 3) if s.id in means[y] else None for y in years]
        known = [v for v in scores if v is not None]
        change = round(known[-1] - known[0], 3) if len(known) >= 2 else None
        trends.append(StatementTrend(statement=s.id, label=s.label, scores=scores,
                                     change=change, trend=_trend(change)))
    return YearComparison(
        partnership=partnership, years=summaries, statements=trends,
        improved=[t.statement for t in trends if t.trend is Trend.IMPROVED],
        worse=[t.statement for t in trends if t.trend is Trend.WORSE],
        same=[t.statement for t in trends if t.trend is Trend.SAME])


class Consensus(StrEnum):
    UNANIMOUS = "unanimous"  # every respondent gave the same rating
    MIXED = "mixed"  # adjacent ratings (Always and Sometimes, or Sometimes and Never)
    DISAGREE = "disagree"  # both Always and Never were given
    UNKNOWN = "unknown"  # nobody answered


class RatingCounts(msgspec.Struct, kw_only=True):
    always: int = 0
    sometimes: int = 0
    never: int = 0
    unanswered: int = 0


class RespondentSummary(msgspec.Struct, kw_only=True):
    assessment: str
    respondent: Respondent
    status: AssessmentStatus
    percentage: float | None


class StatementSpread(msgspec.Struct, kw_only=True):
    """How far respondents' ratings of one statement lie apart: `spread` is the highest
    minus the lowest points (0 to 2)."""

    statement: str
    label: str
    counts: RatingCounts
    mean: float | None
    spread: int | None
    agreement: Consensus


class RespondentComparison(msgspec.Struct, kw_only=True):
    partnership: str
    year: int
    respondents: list[RespondentSummary]
    statements: list[StatementSpread]
    disagreements: list[str]  # statements rated both Always and Never


def compare_respondents(partnership: str, year: int,
                        assessments: list[Assessment]) -> RespondentComparison:
    spreads = []
    for s in CHECKLIST:
        counts = RatingCounts()
        points = []
        for assessment in assessments:
            answer = assessment.answer(s.id)
            rating = answer.rating if answer else None
            if rating is None:
                counts.unanswered += 1
                continue
            setattr(counts, rating.value, getattr(counts, rating.value) + 1)
            points.append(POINTS[rating])
        spread = max(points) - min(points) if points else None
        agreement = (Consensus.UNKNOWN if spread is None else Consensus.UNANIMOUS if spread == 0
                     else Consensus.MIXED if spread == 1 else Consensus.DISAGREE)
        spreads.append(StatementSpread(
            statement=s.id, label=s.label, counts=counts,
            mean=round(sum(points) / len(points), 3) if points else None,
            spread=spread, agreement=agreement))
    respondents = [RespondentSummary(assessment=a.id, respondent=a.respondent, status=a.status,
                                     percentage=score(a.ratings()).percentage)
                   for a in assessments]
    return RespondentComparison(
        partnership=partnership, year=year, respondents=respondents, statements=spreads,
        disagreements=[s.statement for s in spreads if s.agreement is Consensus.DISAGREE])
