"""CSV imports: every faulty row reported with its row and column, nothing half stored,
idempotent replacement per organisation, and buildings taking over from counts."""

from __future__ import annotations

import pytest

from bluelight.hub.adapters.geodesy import ProjGeodesy
from bluelight.kernel.errors import Invalid, NotFound
from bluelight.workbench.adapters import estates_csv, migrate
from bluelight.workbench.adapters.estates_csv import decode_text
from bluelight.workbench.adapters.unit_of_work import SqliteUnitOfWork
from bluelight.workbench.services.estates import Estates

HEADER = ("organisation,service,name,type,tenure,address,postcode,uprn,easting,northing,"
          "lat,lon,shared_with\n")
GOOD = (HEADER
        + "Test Police,police,HQ,office,owned,1 High St,cf37 1dp,10012345678,307700,189800,,,\n"
        + "Test Fire,fire,Station 1,station,leased,,,,,,51.6,-3.34,Test Police; Test Ambulance\n"
        + "Test Police,,Depot,workshop,owned,Depot Lane,,,,,,,\n")


@pytest.fixture
def estates(tmp_path) -> Estates:
    path = tmp_path / "workbench.sqlite"
    migrate.upgrade(path)
    return Estates(SqliteUnitOfWork(path), ProjGeodesy(), estates_csv.shipped_fixture,
                   estates_csv.read_rows)


def faults_of(caught) -> dict[str, str]:
    return {f.field: f.fault for f in caught.value.faults}


def test_several_bad_rows_are_each_reported_and_nothing_is_stored(estates):
    bad = (HEADER
           + "Test Police,police,HQ,office,owned,1 High St,CF37 1DP,,307700,189800,,,\n"  # ok
           + "Test Police,police,Mast,tower,owned,,,,307800,189900,,,\n"  # row 3: type
           + "Test Fire,fire,Stn,station,rented,,NOT A CODE,,,,,,\n"  # row 4: tenure, postcode
           + "\n"  # blank lines are skipped but still counted as lines
           + "Test Fire,fire,Stn 2,station,owned,,,,abc,189900,,,\n"  # row 6: easting
           + "Test Fire,fire,Stn 3,station,owned,,,,307000,,,,\n"  # row 7: northing
           + ",fire,Stn 4,station,owned,x,,,,,,,\n"  # row 8: organisation
           + "Test Police,police,HQ,office,owned,2 High St,,,,,,,\n")  # row 9: repeats row 2
    with pytest.raises(Invalid) as caught:
        estates.import_csv("buildings", bad, "trial")
    assert faults_of(caught) == {
        "row 3: type": "'tower' is not one of station, office, control-room, training, "
                       "workshop, other",
        "row 4: tenure": "'rented' is not one of owned, leased",
        "row 4: postcode": "'NOT A CODE' is not a UK postcode",
        "row 6: easting": "'abc' is not a number",
        "row 7: northing": "easting and northing must be given together",
        "row 8: organisation": "is required",
        "row 9: name": "repeats row 2",
    }
    assert caught.value.detail.startswith("6 of 7 rows are invalid; nothing was stored")
    with pytest.raises(NotFound):  # not even the dataset was created
        estates.report("trial")
    assert "Test Police" not in {o.name for o in estates.organisations()}


def test_a_good_file_is_stored_with_both_coordinate_pairs(estates):
    result = estates.import_csv("buildings", GOOD, "trial")
    assert (result.rows, result.imported) == (3, 3)
    assert result.organisations == ["Test Fire", "Test Police"]
    features = {f.properties.name: f for f in estates.buildings("trial").features}
    hq = features["HQ"]
    assert hq.properties.postcode == "CF37 1DP" and hq.properties.uprn == 10012345678
    lon, lat = hq.geometry.coordinates
    assert lat == pytest.approx(51.599, abs=0.01) and lon == pytest.approx(-3.334, abs=0.01)
    station = features["Station 1"].properties
    assert 300_000 < station.easting < 310_000 and station.shared
    assert station.shared_with == ["Test Ambulance", "Test Police"]
    assert features["Depot"].geometry is None
    report = estates.report("trial")
    police = next(o for o in report.organisations if o.organisation == "Test Police")
    assert (police.buildings, police.shared, police.owned, police.basis) == (2, 0, 2,
                                                                            "buildings")
    assert (report.total.buildings, report.total.shared, report.total.shared_pct) == (3, 1,
                                                                                      33.3)


def test_importing_the_same_file_twice_changes_nothing(estates):
    estates.import_csv("buildings", GOOD, "trial")
    first = estates.report("trial")
    estates.import_csv("buildings", GOOD, "trial")
    assert estates.report("trial") == first
    # A later return for one organisation replaces only that organisation's buildings.
    estates.import_csv("buildings", HEADER + "Test Police,,New HQ,office,owned,x,,,,,,,\n",
                       "trial")
    lines = {o.organisation: o.buildings for o in estates.report("trial").organisations}
    assert lines == {"Test Police": 1, "Test Fire": 1}


def test_skip_invalid_stores_the_rest_and_skips_an_organisation_with_a_bad_row(estates):
    text = (HEADER + "Test Police,police,HQ,office,owned,x,,,,,,,\n"
            + "Test Fire,fire,Stn 1,station,owned,x,,,,,,,\n"
            + "Test Fire,fire,Stn 2,station,owned,,,,,,,,\n")  # row 4: nowhere
    result = estates.import_csv("buildings", text, "trial", skip_invalid=True)
    assert (result.imported, result.organisations) == (1, ["Test Police"])
    assert result.skipped_organisations == ["Test Fire"]
    assert [(f.row, f.column) for f in result.skipped] == [(4, "address")]
    assert [o.organisation for o in estates.report("trial").organisations] == ["Test Police"]


def test_header_problems_fail_the_file_at_once(estates):
    with pytest.raises(Invalid) as caught:
        estates.import_csv("fleet", "organisation,vehicles,colour\nX,1,red\n", "trial")
    assert set(faults_of(caught)) == {"header: colour", "header: maintenance_cost"}
    with pytest.raises(Invalid) as caught:
        estates.import_csv("fleet", "", "trial")
    assert set(faults_of(caught)) == {"file"}
    with pytest.raises(Invalid) as caught:
        estates.import_csv("vehicles", "a\n", "trial")
    assert set(faults_of(caught)) == {"kind"}
    with pytest.raises(Invalid) as caught:
        estates.import_csv("fleet", "organisation\n", "Not A EstatesDataset")
    assert set(faults_of(caught)) == {"dataset"}


def test_fleet_money_and_rules_across_rows(estates):
    text = ("organisation,service,vehicle_type,vehicles,maintenance_cost,mileage\n"
            "Test Police,police,cars,10,\"£1,000.50\",\"12,000\"\n"
            "Test Police,police,vans,5,£499.50,\n")
    estates.import_csv("fleet", text, "trial")
    fleet = estates.fleet("trial")
    row = fleet.organisations[0]
    assert (row.vehicles, row.maintenance_cost, row.cost_per_vehicle, row.mileage) == (
        15, 1500.0, 100, None)  # one type's mileage unknown -> total unknown
    assert [t.vehicle_type for t in row.by_type] == ["cars", "vans"]
    mixed = ("organisation,service,vehicle_type,vehicles,maintenance_cost\n"
             "Test Fire,fire,,10,100\n"
             "Test Fire,fire,pumps,5,£1.234\n"
             "Test Fire,police,cars,-1,10\n")
    with pytest.raises(Invalid) as caught:
        estates.import_csv("fleet", mixed, "trial")
    faults = faults_of(caught)
    assert set(faults) == {"row 3: maintenance_cost", "row 4: vehicles"}
    assert "pounds and pence" in faults["row 3: maintenance_cost"]


def test_service_must_be_known_and_agree(estates):
    estates.import_csv("workforce", "organisation,service,role,staff\nTest Police,police,"
                                    "Uniformed,10\n", "trial")
    text = ("organisation,service,role,staff\n"
            "Test Police,fire,Uniformed,10\n"  # recorded as police
            "Brand New Org,,Support staff,3\n"  # unknown, no service
            "Other Org,coastguard,Support staff,3\n"
            "Other Org,lifeboat,Volunteers,3\n"  # contradicts row 4
            "Another,martians,Crew,1\n")
    with pytest.raises(Invalid) as caught:
        estates.import_csv("workforce", text, "trial")
    assert set(faults_of(caught)) == {"row 2: service", "row 3: service", "row 5: service",
                                      "row 6: service"}
    assert "recorded as a police organisation" in faults_of(caught)["row 2: service"]


def test_lat_lon_that_disagrees_with_the_grid_is_refused(estates):
    text = HEADER + "Test Police,police,HQ,office,owned,,,,307700,189800,51.6,-3.9,\n"
    with pytest.raises(Invalid) as caught:
        estates.import_csv("buildings", text, "trial")
    assert "from easting/northing" in faults_of(caught)["row 2: lat"]


def test_comment_lines_and_row_numbers_match_the_file(estates):
    text = ("# a note\n" + HEADER + "# another\n"
            + "Test Police,police,HQ,office,owned,,,,,,,,\n")
    with pytest.raises(Invalid) as caught:
        estates.import_csv("buildings", text, "trial")
    assert set(faults_of(caught)) == {"row 4: address"}


def test_buildings_take_over_from_the_counts_for_their_organisation(estates):
    before = estates.report()
    assert before.total.buildings == 684
    estates.import_csv("buildings", HEADER
                       + "Gwent Police,,Newport,station,owned,x,,,,,,,Welsh Ambulance Services "
                         "NHS Trust\n")
    after = estates.report()
    gwent = next(o for o in after.organisations if o.organisation == "Gwent Police")
    assert (gwent.buildings, gwent.shared, gwent.basis) == (1, 1, "buildings")
    assert after.total.buildings == 684 - 52 + 1
    assert after.total.shared == 47 - 1 + 1


def test_load_fixture_is_idempotent(estates):
    estates.load_fixture()
    first = (estates.report(), estates.buildings("sample"))
    estates.load_fixture()
    assert (estates.report(), estates.buildings("sample")) == first
    assert len(first[1].features) == 30 and first[1].synthetic


def test_text_must_be_utf8():
    assert decode_text("\ufeffa,b\n".encode()) == "a,b\n"
    with pytest.raises(Invalid):
        decode_text(b"\xff\xfe\x00a")
