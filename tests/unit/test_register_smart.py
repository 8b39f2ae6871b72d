"""SMART checks, overdue and off-target flags of the board view."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bluelight.workbench.domain.collaboration import (
    Actual,
    Benefit,
    BenefitKind,
    Better,
    Category,
    Collaboration,
    Person,
    Status,
    Unit,
    Workstream,
)
from bluelight.workbench.domain.smart import assess, expected_at
from bluelight.workbench.services import board

TODAY = dt.date(2022, 6, 1)
GOOD = ("Move the Bridgend fire control into the police control room so calls are "
        "handled once, cutting transfer time between the two services.")


def collab(**kw) -> Collaboration:
    base = dict(id="c1", title="Joint control", area="Wales (South)",
                category=Category.JOINT_CONTROL_ROOM, description=GOOD,
                status=Status.IN_DELIVERY, workstream="digital", start_date="2021-01",
                target_date="2023-03",
                people=[Person(name="A Lead", role="Programme manager", lead=True)])
    base.update(kw)
    return Collaboration(**base)


def benefit(**kw) -> Benefit:
    base = dict(id="c1-b1", collaboration_id="c1", measure="Savings per year",
                kind=BenefitKind.SAVING, unit=Unit.GBP_PER_YEAR, baseline=0.0,
                baseline_date="2021-01", target=100_000.0, target_date="2022-12",
                owner="Finance lead")
    base.update(kw)
    return Benefit(**base)


def codes(c: Collaboration, today=TODAY) -> set[str]:
    return {f.code for f in assess(c, today).flags}


def test_a_complete_plan_is_smart():
    a = assess(collab(benefits=[benefit()]), TODAY)
    assert a.smart and a.flags == []


def test_each_missing_element_is_flagged_with_an_explanation():
    bare = collab(description="Explore opportunities for sharing", people=[],
                  target_date=None, workstream=None, category=Category.OTHER)
    a = assess(bare, TODAY)
    assert {f.code for f in a.flags} == {"not-specific", "no-target", "not-achievable",
                                         "not-relevant", "no-date", "no-owner"}
    assert all(len(f.explanation) > 20 for f in a.flags)


def test_vague_goal_quotes_the_audit_wales_phrase():
    a = assess(collab(description="Mapping activity across the three services to see "
                                  "what could be shared in future years"), TODAY)
    specific = next(c for c in a.checks if c.criterion == "specific")
    assert not specific.ok and "mapping activity" in specific.explanation


def test_a_target_without_a_baseline_is_not_judged_achievable():
    assert "not-achievable" in codes(collab(benefits=[benefit(baseline=None)]))


def test_overdue_when_the_target_date_passed_and_not_live():
    assert "overdue" in codes(collab(target_date="2021-12", benefits=[benefit()]))
    assert "overdue" not in codes(collab(target_date="2021-12", status=Status.LIVE,
                                         benefits=[benefit()]))
    # a month-precise date is due at the end of that month
    assert "overdue" not in codes(collab(target_date="2022-06", benefits=[benefit()]))


def test_off_target_when_behind_the_straight_line():
    # Half-way through (2021-01 → 2022-12, actual at 2021-12) expect about 48,000.
    behind = benefit(actuals=[Actual(at="2021-12-31", value=20_000.0)])
    ahead = benefit(actuals=[Actual(at="2021-12-31", value=60_000.0)])
    assert "off-target" in codes(collab(benefits=[behind]))
    assert "off-target" not in codes(collab(benefits=[ahead]))


def test_lower_is_better_benefits_are_behind_when_above_the_line():
    b = benefit(measure="Transfer time", kind=BenefitKind.TIME, unit=Unit.SECONDS,
                baseline=240.0, target=20.0, better=Better.LOWER,
                actuals=[Actual(at="2022-12-01", value=200.0)])
    assert "off-target" in codes(collab(benefits=[b]), dt.date(2022, 12, 15))


def test_target_date_passed_without_reaching_target_is_off_target():
    b = benefit(target_date="2021-06", actuals=[Actual(at="2022-01", value=90_000.0)])
    flags = assess(collab(benefits=[b]), TODAY).flags
    assert any(f.code == "off-target" and f.benefit_id == "c1-b1" for f in flags)


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.integers(0, 2000))
def test_the_trajectory_stays_between_baseline_and_target(base, target, days):
    b = benefit(baseline=base, target=target, target_date="2025-12-31")
    start = dt.date(2020, 1, 1)
    value = expected_at(b, start + dt.timedelta(days=days), start)
    assert min(base, target) - 1e-6 <= value <= max(base, target) + 1e-6


def test_board_report_groups_projects_by_workstream_and_counts_flags():
    ws = [Workstream(id="digital", name="Digital", position=2),
          Workstream(id="prevention", name="Prevention", position=4)]
    items = [collab(benefits=[benefit()]),
             collab(id="c2", target_date="2021-01", workstream="digital"),
             collab(id="c3", workstream="prevention", status=Status.REJECTED,
                    status_reason="no"),
             collab(id="c4", workstream=None)]
    r = board.report(items, ws, TODAY)
    assert [w.id for w in r.workstreams] == ["digital", "prevention"]
    assert [p.id for p in r.workstreams[0].projects] == ["c1", "c2"]
    assert r.workstreams[1].projects == []  # rejected is history, not a project
    assert r.projects == 2 and r.smart_projects == 1 and r.overdue == 1
    assert r.workstreams[0].flags["overdue"] == 1
