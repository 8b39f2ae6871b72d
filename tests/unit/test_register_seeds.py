"""The seed import, checked against the documents by hand.

The 38 areas below were listed by reading "Collaboration across the country A-Z" of the
national overview from Avon and Somerset to Wiltshire. Three of them (Essex, Suffolk,
Wiltshire) lost their heading in the PDF-to-text conversion; the parser must still
find them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bluelight.workbench.adapters import seeds
from bluelight.workbench.adapters.seeds import overview
from bluelight.workbench.adapters.seeds import text as read
from bluelight.workbench.domain.collaboration import BenefitKind, Status, Unit

SEEDS = seeds.find_directory(cwd=Path(__file__).resolve().parents[2])
pytestmark = pytest.mark.skipif(SEEDS is None, reason="the seed documents are not here")

A_TO_Z = [
    "Avon and Somerset", "Cambridgeshire", "Cheshire", "Cleveland", "Cumbria", "Derbyshire",
    "Devon and Cornwall", "Dorset", "Durham", "Essex", "Gloucestershire",
    "Greater Manchester", "Hampshire", "Hertfordshire", "Humberside", "Kent", "Lancashire",
    "Leicestershire", "Lincolnshire", "London", "Merseyside", "Norfolk", "North Yorkshire",
    "Northamptonshire", "Northumbria", "Nottinghamshire", "South Yorkshire", "Staffordshire",
    "Suffolk", "Surrey and Sussex", "Thames Valley", "Wales (North)", "Wales (South)",
    "Wales (Mid and West)", "Warwickshire and West Mercia", "West Midlands",
    "West Yorkshire", "Wiltshire",
]
# Areas that only the other sections and the Audit Wales report add.
OTHER_AREAS = {"National (England and Wales)", "Wales", "Scotland", "Bedfordshire",
               "Southwest", "Warwickshire"}


@pytest.fixture(scope="module")
def seed_set():
    return seeds.load(SEEDS, 1_700_000_000.0)


@pytest.fixture(scope="module")
def by_id(seed_set):
    return {c.id: c for c in seed_set.collaborations}


@pytest.fixture(scope="module")
def texts():
    return {p.name: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}


def overview_text() -> str:
    return next(p for p in SEEDS.glob("*.txt")
                if "Collaboration across the country A-Z" in p.read_text()[:3000]).read_text()


def test_every_a_to_z_area_is_found_in_order():
    assert overview.area_names(overview_text()) == A_TO_Z


def test_import_counts(seed_set):
    areas = {c.area for c in seed_set.collaborations}
    assert areas == set(A_TO_Z) | OTHER_AREAS
    assert len(areas) == 44
    for area in A_TO_Z:
        assert any(c.area == area for c in seed_set.collaborations), area
    assert len(seed_set.collaborations) == 296
    assert sum(len(c.benefits) for c in seed_set.collaborations) == 100
    assert [w.id for w in seed_set.workstreams] == [
        "operational-services", "enabling-business-delivery", "digital",
        "workforce-and-organisational-development", "prevention"]


def test_every_entry_has_provenance_and_every_figure_its_sentence(seed_set, texts):
    for c in seed_set.collaborations:
        assert c.provenance and c.provenance.document in texts and c.provenance.section
        assert c.status_history and c.status_history[0].by == "import-seeds"
        for b in c.benefits:
            assert b.evidence, b.id
            flat = " ".join(read.clean(texts[c.provenance.document]).split())
            assert b.evidence[:60] in flat, b.id


def benefit(c, measure_start):
    return next(b for b in c.benefits if b.measure.startswith(measure_start))


def test_sample_of_overview_figures(by_id):
    workshop = by_id["humberside-future-2"]
    assert benefit(workshop, "Capital cost").latest.value == 8_500_000
    saving = benefit(workshop, "Savings per year")
    assert (saving.target, saving.unit) == (69_000, Unit.GBP_PER_YEAR)

    pilot = by_id["wales-south-current-2"]
    transfer = benefit(pilot, "Time to transfer")
    assert (transfer.baseline, transfer.latest.value, transfer.unit) == (240, 16, Unit.SECONDS)
    assert benefit(pilot, "Hours saved per year").latest.value == 18_000

    hayle = by_id["devon-and-cornwall-current-1"]
    assert benefit(hayle, "People reached").target == 6_500
    assert benefit(hayle, "Savings per year").target == 100_000
    assert hayle.target_date == "2015"

    kent = benefit(by_id["kent-current-2"], "Savings")
    assert (kent.target, kent.target_date) == (2_100_000, "2021-03")

    suffolk = by_id["suffolk-award-1"]
    assert sorted(b.latest.value for b in suffolk.benefits
                  if b.kind is BenefitKind.FUNDING) == [60_000, 413_250]
    assert benefit(suffolk, "Savings").target == 1_800_000

    northants = benefit(by_id["northamptonshire-award-1"], "Savings")
    assert (northants.target, northants.target_date) == (21_000_000, "2018")


def test_sample_of_audit_wales_figures(by_id):
    fuel = by_id["aw-police-bulk-fuel"].benefits[0]
    assert fuel.target == 70_000 and "range" in fuel.measure
    assert by_id["aw-fire-joint-fleet-group"].benefits == []
    beds = by_id["aw-bedfordshire-fire-ambulance"]
    assert benefit(beds, "Social value").latest.value == 5_090_000  # an evaluation, done
    assert benefit(beds, "Patient-facing hours").latest.value == 22_332
    assert by_id["aw-bedfordshire-falls-team"].benefits[0].latest.value == 1_053_000
    mait = by_id["mait"]
    assert mait.live_source == "hub" and mait.workstream == "digital"
    assert benefit(mait, "Reduction in response time").latest.value == 3


def test_status_category_leaders_and_contacts(by_id):
    wiltshire = by_id["wiltshire-current-1"]
    assert wiltshire.status is Status.REJECTED and "withdrew" in wiltshire.status_reason
    cheshire = by_id["cheshire-current-1"]
    names = {p.name: p for p in cheshire.people}
    assert names["Simon Byrne"].role == "Chief Constable"
    assert names["Paul Hancock"].organisation == "Cheshire Fire and Rescue Service"
    network = names["Emergency Services Collaboration Network"]
    assert network.email == "info@999collaboration.org.uk"
    assert "North West Ambulance Service" in {p.organisation for p in cheshire.partners}
    assert by_id["essex-current-1"].area == "Essex"  # a heading lost in conversion
    board = by_id["aw-strategic-collaboration-board"]
    assert board.start_date == "2020-11"
    jesg = by_id["aw-joint-emergency-services-group"]
    assert "Deliver value for money to the Welsh taxpayer" in jesg.description


def test_appendix_3_rows(seed_set):
    rows = [c for c in seed_set.collaborations if c.id.startswith("aw-appendix-3-")]
    assert [c.title for c in rows] == [
        "Scotland Reform Collaboration Group", "Thames Valley Collaboration Steering Group",
        "Bedfordshire Blue Light Collaboration Strategic Board",
        "Southwest Emergency Services Collaboration Group",
        "Warwickshire Blue Light Collaboration Joint Advisory Board", "Cheshire",
        "Cumbria Blue Light Executive Leaders Board", "Essex Strategic Board",
        "Merseyside Blue Light Collaboration Board"]
    assert "Performance management framework in place: Yes" in rows[0].description


def test_welsh_entries_are_assigned_to_board_workstreams(seed_set):
    welsh = [c for c in seed_set.collaborations if c.area.startswith("Wales")]
    assert all(c.workstream for c in welsh if c.category.value != "governance")
    assert all(c.workstream is None for c in seed_set.collaborations
               if not c.area.startswith("Wales"))


def test_a_document_without_its_sections_is_refused(tmp_path):
    (tmp_path / "000_x.txt").write_text("Joint Working Between Emergency Services\nnothing")
    (tmp_path / "001_y.txt").write_text("Collaboration across the country A-Z\nContents\n")
    with pytest.raises(seeds.SeedFormatError):
        seeds.load(tmp_path, 0.0)
