"""The collaboration workbench in a real browser, against a real hub whose workbench
database was filled by the CLI (`register import-seeds`, `estates load-fixture`): the
register with search, filters, collaboration and area pages, creating and changing a
collaboration with the API's field errors shown in place; the board; MAIT's live figures
after a real transfer; the estates exhibits, map and distance search; the
self-assessment; and accessibility basics on every page. The browser may reach nothing
but the hub on loopback."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from bluelight.workbench.adapters import seeds
from conftest import PASSWORD
from hubprocess import HubProcess, unique
from samples import incident

REPO = Path(__file__).resolve().parents[2]
SHARED_SEEDS = REPO.parent / "shared" / "seeds"  # as tests/shared_data.py finds ../shared
SEEDS = SHARED_SEEDS if SHARED_SEEDS.is_dir() else seeds.find_directory(cwd=REPO)
WAIT = 10_000  # ms

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(SEEDS is None, reason="the seed documents are not here")]

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass
class Workbench:
    process: HubProcess
    url: str
    tokens: dict[str, str]
    agencies: dict[str, str]
    username: str

    def api(self, service: str = "police") -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10,
                            headers={"Authorization": f"Bearer {self.tokens[service]}"})


def _cli(data_dir: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != seeds.ENV}
    env["BLUELIGHT_DATA_DIR"] = str(data_dir)
    r = subprocess.run([sys.executable, "-m", "bluelight.cli", *args], cwd=REPO,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    data = tmp_path_factory.mktemp("workbench")
    _cli(data, "register", "import-seeds", "--seeds", str(SEEDS))
    _cli(data, "estates", "load-fixture")
    process = HubProcess(data).start()
    area = unique("wb")
    agencies, tokens = {}, {}
    for service in ("police", "fire"):
        agencies[service] = f"uk.{service}.{area}"
        tokens[service] = process.add_agency(agencies[service], service,
                                             name=f"{area.title()} {service.title()}")
    username = f"police-{area}"
    process.add_operator(username, agencies["police"], "Workbench Operator", PASSWORD)
    yield Workbench(process, process.url, tokens, agencies, username)
    process.stop()


def _external(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return False
    return parts.hostname not in LOOPBACK


def open_workbench(browser, wb: Workbench, route: str = "register"):
    """A fresh context signed in through the workbench's own sign-in form. Any request
    to a host other than loopback is blocked and recorded in page.external."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    external: list[str] = []

    def guard(r):
        if _external(r.request.url):
            external.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None)
    page.errors, page.external = errors, external
    page.goto(f"{wb.url}/workbench/#/{route}")
    page.get_by_test_id("login-username").fill(wb.username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("whoami").wait_for()
    return page


def goto(page, wb: Workbench, route: str) -> None:
    page.goto(f"{wb.url}/workbench/#/{route}")
    page.get_by_test_id("page-title").first.wait_for()


def test_register_lists_searches_filters_and_opens_collaborations_and_areas(browser, wb):
    page = open_workbench(browser, wb)
    with wb.api() as api:
        total = api.get("/v1/workbench/register/stats").json()["collaborations"]
        station = api.get("/v1/workbench/register/collaborations", params={"q": "station"}).json()
        station_coloc = api.get("/v1/workbench/register/collaborations",
                                params={"q": "station", "category": "co-location"}).json()
        area = api.get("/v1/workbench/register/areas/Avon%20and%20Somerset").json()
    assert total == 296 and 0 < len(station_coloc) < len(station) < total

    count = page.get_by_test_id("register-count")
    expect(count).to_have_attribute("data-count", str(total), timeout=WAIT)
    expect(page.get_by_test_id("register-row")).to_have_count(total)

    page.get_by_test_id("filter-q").fill("station")
    page.get_by_test_id("filter-apply").click()
    expect(count).to_have_attribute("data-count", str(len(station)), timeout=WAIT)
    expect(count).to_contain_text(f"{len(station)} of {total}")
    page.get_by_test_id("filter-category").select_option("co-location")
    expect(count).to_have_attribute("data-count", str(len(station_coloc)), timeout=WAIT)
    expect(page.get_by_test_id("register-row")).to_have_count(len(station_coloc))
    assert "category=co-location" in page.url and "q=station" in page.url

    # A seeded entry: its provenance (document and section) and its benefit.
    goto(page, wb, "collaboration/avon-and-somerset-future-1")
    provenance = page.get_by_test_id("provenance")
    expect(provenance).to_contain_text("Avon and Somerset › Future Plans")
    expect(provenance).to_contain_text("001_")
    benefit = page.get_by_test_id("benefit").first
    expect(benefit).to_contain_text("Saving (%)")
    expect(benefit.get_by_test_id("actuals-table")).to_contain_text("35%")
    expect(benefit.get_by_test_id("benefit-chart").locator("svg [data-testid=actual-point]")
           ).to_have_count(1)
    page.get_by_test_id("contact-lead").click()
    expect(page.get_by_test_id("contact-leads")).to_contain_text("Sue Mountstevens")

    page.get_by_test_id("area-link").click()
    expect(page.locator("h1")).to_have_text("Avon and Somerset")
    expect(page.get_by_test_id("area-row")).to_have_count(len(area["collaborations"]))
    assert page.errors == [] and page.external == []


def test_create_a_collaboration_change_its_status_and_add_an_actual(browser, wb):
    page = open_workbench(browser, wb, "new")
    page.get_by_test_id("new-submit").click()
    expect(page.locator("[data-testid=field-error][data-field=title]")).to_be_visible(
        timeout=WAIT)

    title = f"Shared training ground {secrets.token_hex(3)}"
    page.get_by_test_id("new-title").fill(title)
    page.get_by_test_id("new-area").fill("Wales (South)")
    page.get_by_test_id("new-category").select_option("training")
    page.get_by_test_id("new-description").fill("A joint training ground for fire and police.")
    page.get_by_test_id("new-partner-org-0").fill("South Wales Police")
    page.get_by_test_id("new-partner-service-0").select_option("police")
    page.get_by_test_id("new-status").select_option("rejected")
    page.get_by_test_id("new-submit").click()
    # The domain's rule, reported by the API and shown next to its field.
    reason_error = page.locator("[data-testid=field-error][data-field=status_reason]")
    expect(reason_error).to_contain_text("required", timeout=WAIT)
    expect(page.locator("[data-testid=field-error][data-field=title]")).to_have_count(0)

    page.get_by_test_id("new-status").select_option("idea")
    page.get_by_test_id("new-submit").click()
    expect(page.locator("h1")).to_have_text(title, timeout=WAIT)
    expect(page.get_by_test_id("provenance")).to_contain_text("Entered in the workbench")

    page.get_by_test_id("status-select").select_option("rejected")
    page.get_by_test_id("status-submit").click()
    expect(page.locator("[data-testid=field-error][data-field=reason]")).to_be_visible(
        timeout=WAIT)
    page.get_by_test_id("status-reason").fill("No budget this year")
    page.get_by_test_id("status-submit").click()
    history = page.get_by_test_id("status-history")
    expect(history).to_contain_text("No budget this year", timeout=WAIT)
    expect(page.get_by_test_id("collaboration-meta").get_by_test_id("status-pill")
           ).to_have_attribute("data-status", "rejected")

    page.get_by_test_id("add-benefit").locator("summary").click()
    page.get_by_test_id("benefit-measure").fill("Trainer hours saved")
    page.get_by_test_id("benefit-unit").select_option("hours")
    page.get_by_test_id("benefit-target").fill("100")
    page.get_by_test_id("benefit-submit").click()
    benefit = page.get_by_test_id("benefit").filter(has_text="Trainer hours saved")
    expect(benefit).to_contain_text("100 hours", timeout=WAIT)

    benefit.get_by_test_id("add-actual").locator("summary").click()
    benefit.get_by_test_id("actual-at").fill("2024-13")
    benefit.get_by_test_id("actual-value").fill("40")
    benefit.get_by_test_id("actual-submit").click()
    expect(benefit.locator("[data-testid=field-error][data-field=at]")).to_be_visible(
        timeout=WAIT)
    benefit.get_by_test_id("actual-at").fill("2024-06")
    benefit.get_by_test_id("actual-submit").click()
    benefit = page.get_by_test_id("benefit").filter(has_text="Trainer hours saved")
    expect(benefit.get_by_test_id("actuals-table")).to_contain_text("40 hours", timeout=WAIT)
    expect(benefit.locator("[data-testid=actual-point]")).to_have_count(1)
    assert page.errors == [] and page.external == []


def test_board_shows_workstreams_smart_flags_and_report_links(browser, wb):
    page = open_workbench(browser, wb, "board")
    with wb.api() as api:
        board = api.get("/v1/workbench/board").json()
    streams = page.get_by_test_id("workstream")
    expect(streams).to_have_count(len(board["workstreams"]), timeout=WAIT)
    expect(streams.first).to_contain_text(board["workstreams"][0]["name"])
    expect(page.get_by_test_id("board-project")).to_have_count(board["projects"])
    missing = page.get_by_test_id("smart-missing")
    expect(missing.filter(has_text="Time-bound: No target date").first).to_be_visible()
    expect(page.get_by_test_id("flag-overdue")).to_have_count(board["overdue"])
    expect(page.get_by_test_id("rollup-unit").first).to_be_visible()
    page.get_by_test_id("rollup-dimension").select_option("by_category")
    expect(page.get_by_test_id("rollup-table")).to_contain_text("Co-location / shared estate")

    report = page.get_by_test_id("monitoring-report-link").get_attribute("href")
    csv = page.get_by_test_id("csv-link").get_attribute("href")
    # Public: no credentials at all.
    assert httpx.get(wb.url + report).status_code == 200
    r = httpx.get(wb.url + csv)
    assert r.status_code == 200 and "workstream" in r.text
    assert page.errors == [] and page.external == []


def test_mait_shows_the_hubs_live_figures_after_a_transfer(browser, wb):
    with wb.api("police") as police, wb.api("fire") as fire:
        r = police.post("/v1/incidents", json={"message_id": str(uuid.uuid4()),
                                               "recipients": [wb.agencies["fire"]],
                                               "incident": incident()})
        assert r.status_code == 201, r.text
        tid = r.json()["transfers"][0]["transfer_id"]
        seqs = [e["seq"] for e in fire.get("/v1/inbox").json()["entries"]]
        fire.post("/v1/inbox/acks", json={"seqs": seqs})
        assert fire.post(f"/v1/transfers/{tid}/decision",
                         json={"decision": "accepted"}).status_code == 200
        live = {b["id"]: b for b in police.get("/v1/workbench/register/live-evidence").json()}
    transfers = live["mait-live-transfers"]["actuals"][-1]["value"]
    assert transfers >= 1 and live["mait-live-decide-median"]["actuals"]

    page = open_workbench(browser, wb, "collaboration/mait")
    section = page.get_by_test_id("live-evidence")
    expect(section).to_contain_text("Live from the hub, no manual entry", timeout=WAIT)
    expect(section.get_by_test_id("live-transfers").locator(".wb-figure-value")).to_have_text(
        str(int(transfers)))
    expect(section.get_by_test_id("live-median")).to_contain_text("seconds")
    expect(section.get_by_test_id("live-hours")).to_contain_text("hours saved")
    # The live figures are not offered for manual entry.
    expect(section.get_by_test_id("add-actual")).to_have_count(0)
    assert page.errors == [] and page.external == []


def test_estates_exhibits_map_and_distance_search(browser, wb):
    page = open_workbench(browser, wb, "estates")
    summary = page.get_by_test_id("estates-summary")
    expect(summary.get_by_test_id("total-buildings")).to_contain_text("684", timeout=WAIT)
    expect(summary.get_by_test_id("total-shared")).to_contain_text("47")
    expect(summary.get_by_test_id("total-shared-pct")).to_contain_text("6.9%")
    expect(summary.get_by_test_id("total-vehicles")).to_contain_text("3,917")
    expect(summary.get_by_test_id("total-maintenance")).to_contain_text("£10,988,947")
    expect(summary.get_by_test_id("total-staff")).to_contain_text("20,389")
    expect(page.get_by_test_id("exhibit-3-table-total")).to_contain_text(
        re.compile(r"684\s+47\s+6\.9%"), use_inner_text=True)
    expect(page.get_by_test_id("exhibit-5-table-total")).to_contain_text(
        re.compile(r"3,917\s+£10,988,947"), use_inner_text=True)
    expect(page.get_by_test_id("exhibit-6-table-total")).to_contain_text("20,389")
    expect(page.get_by_test_id("chart-colocation").locator("svg rect")).to_have_count(11)
    expect(page.get_by_test_id("synthetic-banner")).to_contain_text("Synthetic sample data")

    with wb.api() as api:
        features = api.get("/v1/workbench/estates/buildings",
                           params={"dataset": "sample"}).json()["features"]
        within = api.get("/v1/workbench/estates/within",
                         params={"place": "Swansea", "radius": 10, "unit": "mi",
                                 "dataset": "sample"}).json()
    located = [f for f in features if f["geometry"]]
    expect(page.get_by_test_id("estates-map").get_by_test_id("building-marker")
           ).to_have_count(len(located))
    page.get_by_test_id("within-place").select_option("Swansea")
    page.get_by_test_id("within-radius").fill("10")
    page.get_by_test_id("within-unit").select_option("mi")
    page.get_by_test_id("within-submit").click()
    expect(page.get_by_test_id("within-count")).to_have_text(str(within["count"]),
                                                             timeout=WAIT)
    assert within["count"] > 0
    expect(page.get_by_test_id("finder-row").first).to_be_visible()
    assert page.errors == [] and page.external == []


def test_self_assessment_lists_missing_statements_then_submits_with_a_radar(browser, wb):
    page = open_workbench(browser, wb, "assessment")
    partnership = f"Strategic Collaboration Board: estates {secrets.token_hex(2)}"
    page.get_by_test_id("as-partnership").fill(partnership)
    page.get_by_test_id("as-year").fill("2024")
    page.get_by_test_id("as-name").fill("Rhian Evans")
    page.get_by_test_id("as-organisation").fill("South Wales Fire and Rescue Service")
    page.get_by_test_id("rating-A4-01-always").check()
    page.get_by_test_id("evidence-A4-01").fill("Chief officers chair the board.")
    page.get_by_test_id("as-submit").click()

    summary = page.get_by_test_id("as-errors")
    expect(summary).to_contain_text("15 statements are not answered yet", timeout=WAIT)
    expect(summary).to_contain_text("A4-16")
    expect(summary).not_to_contain_text("A4-01 ")
    expect(page.locator("[data-testid=field-error][data-field='answers.A4-07.rating']")
           ).to_be_visible()
    expect(page.get_by_test_id("as-state")).to_have_attribute("data-status", "draft")
    expect(page.get_by_test_id("radar")).to_be_visible()

    ratings = ["always", "sometimes", "never"]
    for n in range(2, 17):
        page.get_by_test_id(f"rating-A4-{n:02d}-{ratings[n % 3]}").check()
    page.get_by_test_id("as-submit").click()
    expect(page.get_by_test_id("as-state")).to_have_attribute("data-status", "submitted",
                                                              timeout=WAIT)
    expect(summary).to_be_hidden()
    radar = page.get_by_test_id("radar")
    expect(radar).to_be_visible()
    assert partnership in radar.locator("title").first.text_content()
    expect(page.get_by_test_id("rating-A4-02-always")).to_be_disabled()

    page.get_by_test_id("cmp-partnership").fill(partnership)
    page.get_by_test_id("cmp-year").fill("2024")
    page.get_by_test_id("cmp-respondents-run").click()
    table = page.get_by_test_id("cmp-respondents-table")
    expect(table).to_contain_text("A4-16", timeout=WAIT)
    expect(page.get_by_test_id("cmp-radar")).to_be_visible()
    assert page.errors == [] and page.external == []


PAGES = ["register", "collaboration/mait", "area/Wales%20(South)", "new", "board", "estates",
         "assessment"]

A11Y = """() => {
  const controls = [...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden');
  const unlabelled = controls.filter((el) => !(el.labels && el.labels.length)
      && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
    .map((el) => el.outerHTML.slice(0, 120));
  const wide = [...document.querySelectorAll('main *')]
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
                    && !el.closest('.leaflet-container, .visually-hidden'))
    .map((el) => el.tagName + '.' + el.className);
  return {
    h1: document.querySelectorAll('h1').length,
    controls: controls.length,
    unlabelled,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: wide.slice(0, 5),
    uncaptioned: [...document.querySelectorAll('table')].filter((t) => !t.caption).length,
  };
}"""


def test_every_page_has_one_h1_labelled_fields_and_fits_1366_without_external_fetches(
        browser, wb):
    page = open_workbench(browser, wb)
    for route in PAGES:
        goto(page, wb, route)
        page.wait_for_load_state("networkidle")
        expect(page.locator(".wb-loading")).to_have_count(0, timeout=WAIT)
        found = page.evaluate(A11Y)
        assert found["h1"] == 1, (route, found)
        assert found["unlabelled"] == [], (route, found)
        assert found["scrollWidth"] <= found["innerWidth"], (route, found)
        assert found["wide"] == [], (route, found)
        assert found["uncaptioned"] == 0, (route, found)
    assert page.external == [] and page.errors == []
    # Reading needs a sign-in: without the session the API refuses.
    anonymous = httpx.get(f"{wb.url}/v1/workbench/register/collaborations")
    assert anonymous.status_code == 401
    headers = httpx.get(f"{wb.url}/workbench/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
