"""The Audit Wales Appendix 4 checklist ships as the report words it."""

from __future__ import annotations

import re

import pytest

from bluelight.workbench.domain.assessment import (
    APPENDIX,
    CHECKLIST,
    DOCUMENT,
    STATEMENT_IDS,
    SUCCESS_FACTORS,
    statement,
)
from bluelight.workbench.services.assessment import RECOMMENDATION_R9, checklist
from shared_data import CONFORMANCE

SEED = next((CONFORMANCE.parent / "seeds").glob("000_*.txt"), None)


def _normal(text: str) -> str:
    # The seed is text extracted from the PDF: "21st" (a superscript) came out as "21 st".
    text = text.replace("21 st ", "21st ")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seed() -> str:
    if SEED is None:
        pytest.skip("the Audit Wales seed text (../shared/seeds/000_*.txt) is not here")
    return _normal(SEED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def appendix_rows(seed: str) -> list[str]:
    """The statements in the seed's Appendix 4 table: the cells before the empty
    Always / Sometimes / Never columns."""
    raw = SEED.read_text(encoding="utf-8")
    start = raw.index("4 Positive characteristics of emergency services who collaborate "
                      "effectively\n\nemergency service")
    return [_normal(line.split("\t")[0]) for line in raw[start:].splitlines()
            if line.endswith("\t\t\t")]


def test_there_are_exactly_16_statements_with_stable_ids() -> None:
    assert len(CHECKLIST) == 16
    assert tuple(f"A4-{n:02d}" for n in range(1, 17)) == STATEMENT_IDS
    assert [s.number for s in CHECKLIST] == list(range(1, 17))
    assert statement("A4-07").text == ("Individuals are taking specific actions to move the "
                                       "collaboration forward")
    assert statement("A4-17") is None


def test_statements_are_word_for_word_the_appendix_in_order(appendix_rows) -> None:
    assert len(appendix_rows) == 16
    assert [_normal(s.text) for s in CHECKLIST] == appendix_rows


@pytest.mark.parametrize("number, fragment", [
    (1, "We have visible leadership that prioritises the importance of collaboration"),
    (4, "different responses from services in the 21st Century"),
    (13, "I and my organisation is prepared to create and sustain capacity"),
    (15, "at the 'front line' and communicate and explain why this is important"),
])
def test_spot_checks_of_wording(seed, number, fragment) -> None:
    text = CHECKLIST[number - 1].text
    assert fragment in text
    assert _normal(text) in seed


def test_provenance_names_the_document_and_appendix(seed) -> None:
    for s in CHECKLIST:
        assert s.source.document == DOCUMENT
        assert s.source.section == APPENDIX
    assert "Positive characteristics of emergency services who collaborate effectively" in seed
    assert re.search(r"Joint Working Between Emergency Services", DOCUMENT)


def test_exhibit_9_factors_and_r9_come_from_the_seed(seed) -> None:
    assert len(SUCCESS_FACTORS) == 10
    for factor in SUCCESS_FACTORS:
        assert _normal(factor.text) in seed, factor.number
    assert _normal(RECOMMENDATION_R9) in seed.replace("**", "")
    # each factor is restated by exactly one statement
    assert sorted(s.factor for s in CHECKLIST if s.factor) == list(range(1, 11))


def test_checklist_view_states_the_scale() -> None:
    view = checklist()
    assert [(step.label, step.points) for step in view.scale] == [
        ("Always", 2), ("Sometimes", 1), ("Never", 0)]
    assert len(view.statements) == 16
