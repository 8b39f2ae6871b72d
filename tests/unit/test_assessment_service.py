"""Use cases against a real SQLite workbench file: drafts, submission, import."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from bluelight.kernel.errors import Conflict, Invalid, NotFound
from bluelight.workbench.adapters import assessment_import, migrate
from bluelight.workbench.adapters.assessment_tables import metadata
from bluelight.workbench.adapters.unit_of_work import SqliteUnitOfWork
from bluelight.workbench.domain.assessment import (
    STATEMENT_IDS,
    Answer,
    AnswerBody,
    AssessmentChanges,
    AssessmentStatus,
    ImprovementAction,
    NewAssessment,
    Rating,
    Respondent,
)
from bluelight.workbench.services.assessment import SelfAssessments

ANN = Respondent(name="Ann Jones", organisation="South Wales Police", role="Superintendent")


@pytest.fixture
def service(tmp_path: Path) -> SelfAssessments:
    path = tmp_path / "workbench.sqlite"
    migrate.upgrade(path)
    return SelfAssessments(SqliteUnitOfWork(path))


def full(rating: Rating = Rating.SOMETIMES) -> list[Answer]:
    return [Answer(statement=sid, rating=rating) for sid in STATEMENT_IDS]


def test_the_migration_matches_the_table_definitions(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite"
    migrate.upgrade(path)
    live = inspect(create_engine(f"sqlite:///{path}"))
    for table in metadata.sorted_tables:
        assert {c["name"] for c in live.get_columns(table.name)} == set(table.columns.keys())


def test_a_draft_round_trips_with_evidence_and_actions(service) -> None:
    created = service.create(NewAssessment(
        partnership="  SCB   Estates ", year=2023, respondent=ANN,
        answers=[Answer(statement="A4-02", rating=Rating.NEVER, evidence="survey",
                        actions=[ImprovementAction(text="Joint away day", owner="Ann",
                                        due=dt.date(2024, 3, 1))])]),
        recorded_by="uk.police.south-wales")
    got = service.get(created.id)
    assert got.partnership == "SCB Estates"
    assert got.status is AssessmentStatus.DRAFT and got.recorded_by == "uk.police.south-wales"
    assert got.answers[0].actions[0].owner == "Ann"
    assert got.answers[0].actions[0].due.isoformat() == "2024-03-01"
    assert got.score.points == 0 and got.score.answered == 1
    assert len(got.unanswered) == 15


def test_changes_then_submit_then_frozen(service) -> None:
    a = service.create(NewAssessment(partnership="P", year=2023, respondent=ANN))
    with pytest.raises(Invalid) as caught:
        service.submit(a.id)
    assert len(caught.value.faults) == 16
    service.change(a.id, AssessmentChanges(answers=full()[:15]))
    service.answer(a.id, "A4-16", AnswerBody(rating=Rating.ALWAYS))
    done = service.submit(a.id)
    assert done.status is AssessmentStatus.SUBMITTED and done.submitted_at is not None
    assert done.score.points == 15 + 2
    with pytest.raises(Conflict):
        service.change(a.id, AssessmentChanges(year=2024))
    with pytest.raises(Conflict):
        service.withdraw(a.id)
    assert service.get(a.id).year == 2023


def test_one_assessment_per_respondent_partnership_and_year(service) -> None:
    service.create(NewAssessment(partnership="SCB Fleet", year=2023, respondent=ANN))
    same = Respondent(name="ann  jones", organisation="SOUTH WALES POLICE")
    with pytest.raises(Conflict):
        service.create(NewAssessment(partnership="scb fleet", year=2023, respondent=same))
    service.create(NewAssessment(partnership="SCB Fleet", year=2024, respondent=same))
    assert [s.year for s in service.list("SCB FLEET")] == [2023, 2024]
    assert [s.year for s in service.list("SCB FLEET", 2024)] == [2024]


def test_bad_input_names_the_field_and_stores_nothing(service) -> None:
    with pytest.raises(Invalid) as caught:
        service.create(NewAssessment(
            partnership=" ", year=2023, respondent=Respondent(name="x", organisation=" "),
            answers=[Answer(statement="A4-99", rating=Rating.ALWAYS)]))
    assert [f.field for f in caught.value.faults] == [
        "partnership", "respondent.organisation", "answers[0].statement"]
    assert service.list() == []
    with pytest.raises(NotFound):
        service.get("as-missing")
    a = service.create(NewAssessment(partnership="P", year=2023, respondent=ANN))
    with pytest.raises(NotFound):
        service.answer(a.id, "A4-17", AnswerBody(rating=Rating.ALWAYS))


CSV = """partnership,year,respondent_name,respondent_organisation,statement,rating,evidence,action,action_owner,action_due
SCB Estates,2022,Ann Jones,South Wales Police,1,Always,Minutes,,,
SCB Estates,2022,Ann Jones,South Wales Police,A4-02,sometimes,,Away day,Ann,2023-03-01
SCB Estates,2022,Ann Jones,South Wales Police,A4-02,,,Second action,,
SCB Estates,2022,Bob Ray,Mid and West Wales Fire,1,Never,,,,
"""


def test_csv_import_groups_rows_and_is_idempotent(service, tmp_path) -> None:
    file = tmp_path / "answers.csv"
    file.write_text(CSV)
    items = assessment_import.read(file)
    assert [(i.respondent.name, len(i.answers)) for i in items] == [("Ann Jones", 2),
                                                                     ("Bob Ray", 1)]
    assert [a.text for a in items[0].answers[1].actions] == ["Away day", "Second action"]
    first = service.import_(items)
    assert len(first.created) == 2
    again = service.import_(assessment_import.read(file))
    assert again.created == [] and sorted(again.unchanged) == sorted(first.created)
    assert len(service.list("SCB Estates", 2022)) == 2


def test_csv_errors_are_reported_per_row(tmp_path) -> None:
    file = tmp_path / "bad.csv"
    file.write_text(CSV.replace("1,Always", "17,Often").replace("2023-03-01", "1 March"))
    with pytest.raises(Invalid) as caught:
        assessment_import.read(file)
    assert [f.field for f in caught.value.faults] == ["row 2.statement", "row 2.rating",
                                                      "row 3.action_due"]
    file.write_text("partnership,year\nP,2023\n")
    with pytest.raises(Invalid, match="missing column"):
        assessment_import.read(file)


def test_json_import_and_submit_all_or_nothing(service, tmp_path) -> None:
    complete = {"partnership": "P", "year": 2023,
                "respondent": {"name": "Ann", "organisation": "SWP"},
                "answers": [{"statement": sid, "rating": "always"} for sid in STATEMENT_IDS]}
    partial_ = dict(complete, respondent={"name": "Bob", "organisation": "MAWWFRS"},
                    answers=complete["answers"][:3])
    file = tmp_path / "answers.json"
    file.write_text(json.dumps([complete, partial_]))
    with pytest.raises(Invalid) as caught:
        service.import_(assessment_import.read(file), submit=True)
    assert caught.value.faults[0].field == "[1].answers.A4-04.rating"
    assert service.list() == []  # the complete one was not stored either
    file.write_text(json.dumps([complete]))
    outcome = service.import_(assessment_import.read(file), submit=True)
    assert outcome.submitted == outcome.created
    assert service.list()[0].status is AssessmentStatus.SUBMITTED
    file.write_text(json.dumps({**complete, "year": "2023"}))
    with pytest.raises(Invalid) as caught:
        assessment_import.read(file)
    assert caught.value.faults[0].field == "year"
