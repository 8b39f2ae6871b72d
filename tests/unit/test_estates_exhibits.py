"""Audit Wales Exhibits 3, 5 and 6 reproduced from the shipped fixture, entered as the
report publishes them, through the real import path and a real SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect

from bluelight.hub.adapters.geodesy import ProjGeodesy
from bluelight.workbench.adapters import estates_csv, estates_tables, migrate
from bluelight.workbench.adapters.unit_of_work import SqliteUnitOfWork
from bluelight.workbench.domain.estates import share_pct, whole_pounds
from bluelight.workbench.services.estates import Estates

# Exhibit 3 as printed: (organisation, buildings, shared, proportion shared).
EXHIBIT_3 = [
    ("Dyfed Powys Police", 53, 1, 1.9), ("Gwent Police", 52, 1, 1.9),
    ("North Wales Police", 58, 6, 10.3), ("South Wales Police", 103, 1, 1.0),
    ("Mid and West Wales Fire and Rescue Service", 122, 3, 2.5),
    ("North Wales Fire and Rescue Service", 49, 8, 16.3),
    ("South Wales Fire and Rescue Service", 50, 8, 16.0),
    ("Welsh Ambulance Services NHS Trust", 110, 15, 13.6), ("RNLI", 30, 0, 0.0),
    ("Search and rescue", 14, 2, 14.3), ("Coastguard", 43, 2, 4.7),
]
# Exhibit 5 as printed: (organisation, vehicles, £ maintenance, £ per vehicle, mileage).
EXHIBIT_5 = [
    ("Dyfed Powys Police", 465, 1_352_255, 2_908, 5_276_328),
    ("Gwent Police", 400, 744_405, 1_861, 5_695_410),
    ("North Wales Police", 595, 551_750, 927, 10_364_506),
    ("South Wales Police", 867, 1_625_000, 1_874, 10_235_034),
    ("Mid and West Wales Fire and Rescue Service", 378, 527_011, 1_394, 1_990_779),
    ("North Wales Fire and Rescue Service", 223, 201_726, 905, 1_870_533),
    ("South Wales Fire and Rescue Service", 408, 504_025, 1_235, 2_373_689),
    ("Welsh Ambulance Services NHS Trust", 581, 5_482_775, 9_437, 3_814_605),
]
# Exhibit 6's "Total" column.
EXHIBIT_6 = {"Dyfed Powys Police": 2_138, "Gwent Police": 2_317, "North Wales Police": 2_930,
             "South Wales Police": 5_761, "Mid and West Wales Fire and Rescue Service": 1_323,
             "North Wales Fire and Rescue Service": 882,
             "South Wales Fire and Rescue Service": 1_764,
             "Welsh Ambulance Services NHS Trust": 3_274}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "workbench.sqlite"
    migrate.upgrade(path)
    return Estates(SqliteUnitOfWork(path), ProjGeodesy(), estates_csv.shipped_fixture,
                   estates_csv.read_rows).report()


def test_exhibit_3_totals_684_buildings_47_shared_6_9_percent(report):
    assert (report.total.buildings, report.total.shared, report.total.shared_pct) == (684, 47, 6.9)
    blue_light = sum(o.buildings for o in report.organisations
                     if o.service in ("police", "fire", "ambulance"))
    assert blue_light == 597  # paragraph 36: 597 blue light, a further 87 responders


def test_exhibit_3_per_organisation_as_printed(report):
    got = [(o.organisation, o.buildings, o.shared, o.shared_pct) for o in report.organisations]
    assert got == EXHIBIT_3
    assert {o.basis for o in report.organisations} == {"counts"}
    assert report.total.owned is None  # the exhibit does not split owned from leased


def test_exhibit_5_fleet_3917_vehicles_costing_10_988_947(report):
    total = report.fleet.total
    assert (total.vehicles, total.maintenance_cost, total.cost_per_vehicle, total.mileage) == (
        3_917, 10_988_947, 2_805, 41_620_884)
    got = [(r.organisation, r.vehicles, r.maintenance_cost, r.cost_per_vehicle, r.mileage)
           for r in report.fleet.organisations]
    assert got == EXHIBIT_5


def test_exhibit_6_workforce_20389(report):
    w = report.workforce
    assert w.total.total == 20_389
    assert {r.organisation: r.total for r in w.organisations} == EXHIBIT_6
    assert w.total.roles == {"Police Special Constables": 498, "Support staff": 5_682,
                             "Police Constable Support Officers": 874, "Uniformed": 11_581,
                             "On call": 1_754}


def test_by_service_shares_add_up_to_the_total(report):
    assert sum(s.buildings for s in report.services) == 684
    police = next(s for s in report.services if s.service == "police")
    assert (police.buildings, police.shared, police.shared_pct) == (266, 9, 3.4)


@pytest.mark.parametrize(("part", "whole", "pct"), [
    (47, 684, 6.9), (2, 43, 4.7), (1, 103, 1.0), (0, 30, 0.0), (1, 8, 12.5), (1, 0, 0.0),
    (1, 40, 2.5),  # exactly half-way rounds up, as the report does (not banker's 2.5 -> 2)
])
def test_share_pct_rounds_half_up_to_one_place(part, whole, pct):
    assert share_pct(part, whole) == pct


def test_whole_pounds_per_vehicle():
    assert whole_pounds(1_098_894_700, 3_917) == 2_805
    assert whole_pounds(100, 0) == 0


def test_migration_builds_the_tables_the_code_defines(tmp_path):
    path = tmp_path / "workbench.sqlite"
    migrate.upgrade(path)
    engine = create_engine(f"sqlite:///{path}")
    try:
        found = inspect(engine)
        for table in estates_tables.metadata.sorted_tables:
            columns = {c["name"]: c["nullable"] for c in found.get_columns(table.name)}
            assert columns == {c.name: c.nullable for c in table.columns}, table.name
            indexes = {i["name"] for i in found.get_indexes(table.name)}
            assert {i.name for i in table.indexes} <= indexes, table.name
    finally:
        engine.dispose()
