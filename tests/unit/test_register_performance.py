"""Roll-ups add only like with like; the public exports; live MAIT evidence."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from hypothesis import given
from hypothesis import strategies as st

from bluelight.wire.stats import Stats
from bluelight.workbench.domain.collaboration import (
    Actual,
    Benefit,
    BenefitKind,
    Category,
    Collaboration,
    Status,
    Unit,
    Workstream,
)
from bluelight.workbench.services import performance, register


def c(cid, area, category, workstream, *benefits) -> Collaboration:
    return Collaboration(id=cid, title=cid, area=area, category=category, description="d",
                         status=Status.LIVE, workstream=workstream, benefits=list(benefits))


def b(bid, kind, unit, baseline=None, target=None, actuals=()) -> Benefit:
    return Benefit(id=bid, collaboration_id="x", measure=bid, kind=kind, unit=unit,
                   baseline=baseline, target=target,
                   actuals=[Actual(at=at, value=v) for at, v in actuals])


ITEMS = [
    c("a", "Cheshire", Category.FLEET, "ebd",
      b("a1", BenefitKind.SAVING, Unit.GBP_PER_YEAR, 0, 200_000,
        [("2014", 50_000), ("2015", 120_000)]),
      b("a2", BenefitKind.SAVING, Unit.HOURS_PER_YEAR, None, 900)),
    c("b", "Cheshire", Category.FLEET, "ebd",
      b("b1", BenefitKind.SAVING, Unit.GBP_PER_YEAR, 10, 69_000, [("2014", 1_000)]),
      b("b2", BenefitKind.FUNDING, Unit.GBP, None, None, [("2014", 500_000)])),
    c("d", "Kent", Category.CO_LOCATION, None,
      b("d1", BenefitKind.SAVING, Unit.PERCENT, None, 20),
      b("d2", BenefitKind.SAVING, Unit.PERCENT, None, 10)),
]


def rows(dimension):
    return {(r.group, r.kind, r.unit): r for r in performance.rollup(
        ITEMS, dimension, {"ebd": "Enabling business delivery"})}


def test_sums_only_within_the_same_kind_and_unit():
    by_area = rows("area")
    money = by_area[("Cheshire", "saving", "GBP/year")]
    assert (money.benefits, money.baseline, money.target, money.actual) == (
        2, 10, 269_000, 121_000)  # latest actual of each: 120,000 + 1,000
    hours = by_area[("Cheshire", "saving", "hours/year")]
    assert hours.target == 900 and hours.baseline is None and hours.actual is None
    grant = by_area[("Cheshire", "funding", "GBP")]
    assert grant.actual == 500_000  # a grant is not added to the savings
    assert len(by_area) == 4


def test_percentages_are_averaged_not_added():
    pct = rows("category")[("Co-location / shared estate", "saving", "percent")]
    assert pct.aggregate == "mean" and pct.target == 15


def test_workstream_names_and_the_unassigned_group():
    groups = {g for g, _, _ in rows("workstream")}
    assert groups == {"Enabling business delivery", performance.NO_WORKSTREAM}


@given(st.lists(st.tuples(st.sampled_from(list(Unit)), st.floats(0, 1e9)), max_size=30))
def test_every_benefit_lands_in_exactly_one_row_per_dimension(pairs):
    benefits = [b(f"x{i}", BenefitKind.OTHER, unit, None, value)
                for i, (unit, value) in enumerate(pairs)]
    items = [c("z", "Area", Category.OTHER, None, *benefits)]
    for dimension in performance.DIMENSIONS:
        result = performance.rollup(items, dimension)
        assert sum(r.benefits for r in result) == len(benefits)
        assert len({r.unit for r in result}) == len(result)


def report():
    return performance.report(ITEMS, [Workstream(id="ebd", name="Enabling business delivery")],
                              dt.date(2022, 1, 1))


def test_csv_has_a_row_per_dimension_group_kind_and_unit():
    parsed = list(csv.DictReader(io.StringIO(performance.to_csv(report()))))
    assert len(parsed) == sum(len(rows(d)) for d in performance.DIMENSIONS)
    row = next(r for r in parsed if r["dimension"] == "area" and r["unit"] == "GBP/year")
    assert row["target"] == "269000" and row["actual"] == "121000"


def test_html_is_self_contained_and_accessible():
    page = performance.to_html(report())
    assert page.startswith("<!doctype html>") and '<html lang="en-GB">' in page
    assert page.count("<caption>") == 3 and page.count("<h2") == 3
    assert 'scope="col"' in page and 'scope="row"' in page
    assert not re.search(r"(src|href)=\"https?:", page) and "<script" not in page
    assert "£269,000 a year" in page


def test_live_benefits_come_from_the_hub_figures():
    stats = Stats(pairs=[], transfers=42, decided=40, deliver_p50_s=0.1, deliver_p90_s=0.2,
                  decide_p50_s=12.5, decide_p90_s=30.0, phone_baseline_s=240.0,
                  time_saved_s=9000.0, time_saved_hours=2.5)
    live = {x.id: x for x in register.live_benefits(stats, today=dt.date(2026, 1, 2))}
    assert live["mait-live-transfers"].latest.value == 42
    median = live["mait-live-decide-median"]
    assert median.baseline == 240.0 and median.latest.value == 12.5 and median.unit is Unit.SECONDS
    assert live["mait-live-hours-saved"].latest.value == 2.5
    assert all(x.live for x in live.values())
    mait = Collaboration(id="mait", title="MAIT", area="Wales", description="d",
                         category=Category.DATA_SHARING, status=Status.LIVE,
                         live_source="hub")
    assert len(register.with_live(mait, stats).benefits) == 3
    other = Collaboration(id="o", title="o", area="Wales", description="d",
                          category=Category.OTHER, status=Status.LIVE)
    assert register.with_live(other, stats).benefits == []


def test_the_public_csv_never_hands_a_spreadsheet_a_formula():
    hostile = [c("h", '=HYPERLINK("http://evil.example","x")', Category.OTHER, None,
                 b("h1", BenefitKind.SAVING, Unit.GBP, None, 5))]
    text = performance.to_csv(performance.report(hostile, [], dt.date(2026, 11, 23)))
    areas = [r["group"] for r in csv.DictReader(io.StringIO(text)) if r["dimension"] == "area"]
    assert areas == ["'=HYPERLINK(\"http://evil.example\",\"x\")"]
