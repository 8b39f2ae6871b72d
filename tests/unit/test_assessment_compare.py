"""Comparisons with hand-made data: year on year, and across respondents."""

from __future__ import annotations

import datetime as dt

from bluelight.workbench.domain.assessment import (
    STATEMENT_IDS,
    Answer,
    Assessment,
    AssessmentStatus,
    Consensus,
    Rating,
    Respondent,
    Trend,
    compare_respondents,
    compare_years,
)

A, S, N = Rating.ALWAYS, Rating.SOMETIMES, Rating.NEVER
T0 = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


def made(ident: str, year: int, who: str, ratings: dict[str, Rating],
         base: Rating | None = Rating.SOMETIMES) -> Assessment:
    full = ({sid: base for sid in STATEMENT_IDS} if base else {}) | ratings
    return Assessment(id=ident, partnership="SCB Fleet", year=year,
                      respondent=Respondent(name=who, organisation="Org " + who),
                      status=AssessmentStatus.SUBMITTED,
                      answers=[Answer(statement=k, rating=v) for k, v in full.items()],
                      created_at=T0, updated_at=T0)


def test_year_on_year_change_per_statement() -> None:
    y2022 = [made("a", 2022, "Ann", {"A4-01": N, "A4-02": A, "A4-03": S})]
    # 2023: two respondents, averaged per statement
    y2023 = [made("b", 2023, "Ann", {"A4-01": A, "A4-02": N, "A4-03": S}),
             made("c", 2023, "Bob", {"A4-01": S, "A4-02": S, "A4-03": S})]
    c = compare_years("SCB Fleet", {2023: y2023, 2022: y2022})
    assert [y.year for y in c.years] == [2022, 2023]
    assert [y.assessments for y in c.years] == [["a"], ["b", "c"]]
    by = {t.statement: t for t in c.statements}
    assert by["A4-01"].scores == [0.0, 1.5] and by["A4-01"].change == 1.5
    assert by["A4-01"].trend is Trend.IMPROVED
    assert by["A4-02"].scores == [2.0, 0.5] and by["A4-02"].trend is Trend.WORSE
    assert by["A4-03"].change == 0 and by["A4-03"].trend is Trend.SAME
    assert c.improved == ["A4-01"] and c.worse == ["A4-02"]
    assert len(c.same) == 14
    # 2022: 1 Never(0) + 1 Always(2) + 14 Sometimes(1) = 16 of 32
    assert c.years[0].percentage == 50.0


def test_a_year_without_answers_leaves_the_trend_unknown() -> None:
    c = compare_years("P", {2021: [], 2022: [made("a", 2022, "Ann", {})]})
    assert c.years[0].percentage is None and c.years[0].assessments == []
    assert all(t.trend is Trend.UNKNOWN and t.change is None for t in c.statements)
    assert c.statements[0].scores == [None, 1.0]


def test_change_runs_from_the_earliest_to_the_latest_year_with_an_answer() -> None:
    partial = made("b", 2023, "Ann", {"A4-01": A}, base=None)
    c = compare_years("P", {2021: [made("a", 2021, "Ann", {"A4-01": N})], 2023: [partial],
                            2024: [made("c", 2024, "Ann", {"A4-01": S, "A4-02": A})]})
    by = {t.statement: t for t in c.statements}
    assert by["A4-01"].scores == [0.0, 2.0, 1.0] and by["A4-01"].change == 1.0
    assert by["A4-02"].scores == [1.0, None, 2.0] and by["A4-02"].trend is Trend.IMPROVED


def test_across_respondents_flags_always_and_never_as_disagreement() -> None:
    people = [made("a", 2023, "Ann", {"A4-01": A, "A4-02": A, "A4-03": A}),
              made("b", 2023, "Bob", {"A4-01": N, "A4-02": S, "A4-03": A}),
              made("c", 2023, "Cat", {"A4-01": S, "A4-03": A})]
    people[2].answers[:] = [a for a in people[2].answers if a.statement != "A4-02"]
    c = compare_respondents("SCB Fleet", 2023, people)
    by = {s.statement: s for s in c.statements}
    one = by["A4-01"]
    assert (one.counts.always, one.counts.sometimes, one.counts.never) == (1, 1, 1)
    assert one.spread == 2 and one.agreement is Consensus.DISAGREE and one.mean == 1.0
    two = by["A4-02"]
    assert two.counts.unanswered == 1 and two.spread == 1 and two.agreement is Consensus.MIXED
    assert by["A4-03"].agreement is Consensus.UNANIMOUS and by["A4-03"].spread == 0
    assert c.disagreements == ["A4-01"]
    assert [r.respondent.name for r in c.respondents] == ["Ann", "Bob", "Cat"]


def test_nobody_answering_is_unknown_not_agreement() -> None:
    c = compare_respondents("P", 2023, [made("a", 2023, "Ann", {}, base=None)])
    assert all(s.agreement is Consensus.UNKNOWN and s.spread is None for s in c.statements)
    assert c.disagreements == []
