"""Register domain rules: status transitions, dates, validation naming the field."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bluelight.kernel.errors import Conflict, Invalid
from bluelight.workbench.domain.collaboration import (
    TRANSITIONS,
    Category,
    NewBenefit,
    NewCollaboration,
    Status,
    Unit,
    check_benefit,
    check_dates,
    check_new,
    check_transition,
    first_day,
    last_day,
)

statuses = st.sampled_from(list(Status))


@given(statuses, statuses)
def test_a_transition_is_allowed_exactly_when_the_table_says_so(current, new):
    reason = "not affordable"
    if new == current:
        with pytest.raises(Conflict):
            check_transition(current, new, reason)
    elif new in TRANSITIONS[current]:
        check_transition(current, new, reason)
    else:
        with pytest.raises(Invalid) as caught:
            check_transition(current, new, reason)
        assert caught.value.faults[0].field == "status"


def test_rejecting_needs_a_reason_and_the_fault_names_it():
    with pytest.raises(Invalid) as caught:
        check_transition(Status.CONSIDERED, Status.REJECTED, "  ")
    assert caught.value.faults[0].field == "reason"
    check_transition(Status.CONSIDERED, Status.REJECTED, "fire withdrew over costs")


def test_closed_is_final_and_live_only_closes():
    assert TRANSITIONS[Status.CLOSED] == frozenset()
    assert TRANSITIONS[Status.LIVE] == {Status.CLOSED}


@pytest.mark.parametrize(("partial", "first", "last"), [
    ("2014", dt.date(2014, 1, 1), dt.date(2014, 12, 31)),
    ("2016-02", dt.date(2016, 2, 1), dt.date(2016, 2, 29)),
    ("2014-12-03", dt.date(2014, 12, 3), dt.date(2014, 12, 3)),
])
def test_partial_dates_stand_for_spans(partial, first, last):
    assert first_day(partial) == first and last_day(partial) == last


def test_a_target_before_the_start_is_refused_naming_the_field():
    with pytest.raises(Invalid) as caught:
        check_dates("2015", "2014-06", None)
    assert caught.value.faults[0].field == "target_date"
    with pytest.raises(Invalid) as caught:
        check_dates("2015-02-30", None, None)
    assert caught.value.faults[0].field == "start_date"


def test_new_collaboration_validation_names_fields():
    with pytest.raises(msgspec.ValidationError, match=r"\$\.category"):
        msgspec.json.decode(b'{"title":"t","area":"a","category":"nope","description":"d"}',
                            type=NewCollaboration)
    with pytest.raises(Invalid) as caught:
        check_new(NewCollaboration(title="t", area=" ", category=Category.FLEET,
                                   description="d", status=Status.REJECTED))
    assert {f.field for f in caught.value.faults} == {"area", "status_reason"}


def test_a_benefit_with_a_target_date_needs_a_target():
    with pytest.raises(Invalid) as caught:
        check_benefit(NewBenefit(measure="Savings", unit=Unit.GBP, target_date="2020"))
    assert caught.value.faults[0].field == "target"
