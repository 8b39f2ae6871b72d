"""Scoring (Always 2, Sometimes 1, Never 0) and the rules for answering and submitting."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluelight.kernel.errors import Faults, Invalid
from bluelight.workbench.domain.assessment import (
    STATEMENT_IDS,
    Answer,
    Assessment,
    AssessmentStatus,
    Rating,
    Respondent,
    check_complete,
    clean_answers,
    merge_answers,
    score,
)

A, S, N = Rating.ALWAYS, Rating.SOMETIMES, Rating.NEVER
T0 = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)


def assessment(ratings: dict[str, Rating]) -> Assessment:
    return Assessment(id="as-1", partnership="P", year=2023,
                      respondent=Respondent(name="R", organisation="O"), status=AssessmentStatus.DRAFT,
                      answers=[Answer(statement=k, rating=v) for k, v in ratings.items()],
                      created_at=T0, updated_at=T0)


def test_points_per_statement_and_overall() -> None:
    ratings = {sid: (A, S, N)[i % 3] for i, sid in enumerate(STATEMENT_IDS)}
    s = score(ratings)
    assert [p.points for p in s.by_statement] == [(2, 1, 0)[i % 3] for i in range(16)]
    # 6 Always, 5 Sometimes, 5 Never
    assert s.points == 6 * 2 + 5 * 1
    assert s.max_points == 32
    assert s.percentage == round(100 * 17 / 32, 1) == 53.1
    assert s.complete and s.answered == 16


def test_all_always_is_100_and_all_never_is_0() -> None:
    assert score(dict.fromkeys(STATEMENT_IDS, A)).percentage == 100.0
    assert score(dict.fromkeys(STATEMENT_IDS, N)).percentage == 0.0


def test_a_partial_draft_is_scored_on_what_it_answered() -> None:
    s = score({"A4-01": A, "A4-02": N})
    assert (s.answered, s.points, s.max_points, s.percentage, s.complete) == (2, 2, 4, 50.0,
                                                                              False)
    assert s.by_statement[2].points is None and s.by_statement[2].rating is None
    assert score({}).percentage is None


@given(st.dictionaries(st.sampled_from(STATEMENT_IDS), st.sampled_from(list(Rating))))
def test_score_is_the_sum_of_points(ratings) -> None:
    s = score(ratings)
    assert s.points == sum({A: 2, S: 1, N: 0}[r] for r in ratings.values())
    assert s.answered == len(ratings)
    if ratings:
        assert 0 <= s.percentage <= 100


def test_submit_needs_every_statement_and_names_each_missing_one() -> None:
    partial = {sid: A for sid in STATEMENT_IDS if sid not in ("A4-03", "A4-16")}
    with pytest.raises(Invalid) as caught:
        check_complete(assessment(partial))
    assert [f.field for f in caught.value.faults] == ["answers.A4-03.rating",
                                                      "answers.A4-16.rating"]
    assert "A4-03, A4-16" in caught.value.detail
    check_complete(assessment(dict.fromkeys(STATEMENT_IDS, S)))  # complete: no error


def test_evidence_without_a_rating_is_not_an_answer_for_submission() -> None:
    a = assessment(dict.fromkeys(STATEMENT_IDS[1:], A))
    a.answers.insert(0, Answer(statement="A4-01", evidence="minutes of the board"))
    with pytest.raises(Invalid) as caught:
        check_complete(a)
    assert [f.field for f in caught.value.faults] == ["answers.A4-01.rating"]


def test_answers_are_checked_field_by_field() -> None:
    faults = Faults()
    clean_answers([Answer(statement="A4-01", rating=A), Answer(statement="A4-99"),
                   Answer(statement="A4-01", rating=N)], faults)
    fields = [f.field for f in faults.items]
    assert fields == ["answers[1].statement", "answers[2].statement"]
    assert "answers[0]" in faults.items[1].fault


def test_merge_replaces_only_the_statements_sent_and_keeps_checklist_order() -> None:
    current = [Answer(statement="A4-05", rating=A), Answer(statement="A4-09", rating=N)]
    merged = merge_answers(current, [Answer(statement="A4-09", rating=S),
                                     Answer(statement="A4-01", evidence="x"),
                                     Answer(statement="A4-05")])  # empty: withdrawn
    assert [(a.statement, a.rating) for a in merged] == [("A4-01", None), ("A4-09", S)]
