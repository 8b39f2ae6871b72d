"""Data-sharing agreements in the console, in a real browser against a real hub.

The hub registers one agreement (every class) between police and fire; the ambulance
service has none. Police enters special-category details, previews what each partner
would receive, sends, and sees what was withheld from whom; the ambulance operator's
page never holds the withheld text, and fire's does."""

from __future__ import annotations

import secrets
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import expect
from test_console import UNLABELLED

from bluelight.hub.adapters.storage.sqlite_store import transaction
from bluelight.hub.domain.sharing import AgreementTerms, DataClass
from bluelight.hub.services import sharing
from conftest import sign_in

WAIT = 10_000  # ms


def canaries() -> dict[str, str]:
    """Distinct, unguessable text per special-category field, to look for in pages."""
    tag = secrets.token_hex(3)
    return {
        "medical": f"Type 1 diabetic, insulin pump MEDCANARY{tag}",
        "intelligence": f"Known associate of OCG Bravo INTELCANARY{tag}",
        "caller": f"Ceri CALLERCANARY{tag}",
        "vulnerability": f"Lives alone, hearing impaired VULNCANARY{tag}",
        "officer_safety": f"Firearms licence holder OSCANARY{tag}",
        "summary": f"Van on its side, driver unresponsive SUMCANARY{tag}",
    }


def fill_incident(page, hub, to: list[str], texts: dict[str, str]) -> str:
    """Fill the send form (without sending), the special-category fields included."""
    page.get_by_test_id("nav-send").click()
    reference = f"E2E-{secrets.token_hex(3)}"
    page.get_by_test_id("send-reference").fill(reference)
    for service in to:
        page.get_by_test_id(f"send-recipient-{hub.agencies[service]}").check()
    page.get_by_test_id("send-type").select_option("road-traffic-collision")
    page.get_by_test_id("send-priority").select_option("emergency")
    page.get_by_test_id("send-summary").fill(texts["summary"])
    page.get_by_test_id("send-easting").fill("318040")
    page.get_by_test_id("send-northing").fill("176420")
    page.get_by_test_id("send-address").fill("Castle Street, Cardiff CF10 1BS")
    page.get_by_test_id("send-caller-name").fill(texts["caller"])
    page.get_by_test_id("send-caller-phone").fill("07700 900123")
    page.get_by_test_id("send-sensitive-toggle").click()
    page.get_by_test_id("send-medical").fill(texts["medical"])
    page.get_by_test_id("send-vulnerability-flags").fill("lives alone, hearing impaired")
    page.get_by_test_id("send-vulnerability-notes").fill(texts["vulnerability"])
    page.get_by_test_id("send-officer-safety-markers").fill(
        "firearms licence holder, dangerous dog")
    page.get_by_test_id("send-officer-safety-notes").fill(texts["officer_safety"])
    page.get_by_test_id("send-intelligence").fill(texts["intelligence"])
    return reference


def send_by_api(hub, to: list[str], texts: dict[str, str]) -> str:
    """Police sends through the hub's API, as a CAD system would."""
    reference = f"E2E-{secrets.token_hex(3)}"
    incident = {
        "reference": reference, "type": "road-traffic-collision", "priority": "emergency",
        "summary": texts["summary"], "created_at": datetime.now(UTC).isoformat(),
        "location": {"easting": 318040, "northing": 176420,
                     "address": "Castle Street, Cardiff CF10 1BS"},
        "hazards": ["diesel leak"],
        "caller": {"name": texts["caller"], "phone": "07700 900123"},
        "medical": texts["medical"], "intelligence": texts["intelligence"],
        "vulnerability": {"flags": ["lives alone"], "notes": texts["vulnerability"]},
        "officer_safety": {"markers": ["firearms licence holder"],
                           "notes": texts["officer_safety"]},
    }
    r = httpx.post(f"{hub.url}/v1/incidents",
                   headers={"Authorization": f"Bearer {hub.tokens['police']}"},
                   json={"message_id": str(uuid.uuid4()),
                         "recipients": [hub.agencies[s] for s in to], "incident": incident},
                   timeout=10)
    r.raise_for_status()
    return reference


def test_preview_then_send_shows_the_sender_what_was_withheld_from_whom(browser, console_hub):
    police = sign_in(browser, console_hub, "police")
    texts = canaries()
    fill_incident(police, console_hub, ["fire", "ambulance"], texts)
    fire_id, ambulance_id = console_hub.agencies["fire"], console_hub.agencies["ambulance"]

    police.get_by_test_id("send-preview").click()
    partners = police.get_by_test_id("preview-partner")
    expect(partners).to_have_count(2, timeout=WAIT)
    fire = police.locator(f'[data-testid="preview-partner"][data-recipient="{fire_id}"]')
    ambulance = police.locator(
        f'[data-testid="preview-partner"][data-recipient="{ambulance_id}"]')
    # Fire: the all-classes agreement, by id and version, and nothing withheld.
    expect(fire).to_have_attribute("data-agreement", f"isa-{console_hub.area}")
    expect(fire).to_contain_text(f"isa-{console_hub.area} v1")
    expect(fire.get_by_test_id("preview-withheld")).to_contain_text("Nothing withheld")
    # Ambulance: no agreement, and every special category named in plain words.
    expect(ambulance).to_contain_text("No agreement: operational minimum only")
    withheld = ambulance.get_by_test_id("preview-withheld")
    for words in ["Medical details", "Caller identity and phone", "Criminal-intelligence notes",
                  "Vulnerability and safeguarding flags", "Officer-safety and firearms markers",
                  "Summary"]:
        expect(withheld).to_contain_text(words)

    # The preview follows the partners chosen.
    police.get_by_test_id(f"send-recipient-{ambulance_id}").uncheck()
    expect(partners).to_have_count(1, timeout=WAIT)
    expect(partners.first).to_have_attribute("data-recipient", fire_id)
    police.get_by_test_id(f"send-recipient-{ambulance_id}").check()
    expect(partners).to_have_count(2, timeout=WAIT)

    police.get_by_test_id("send-submit").click()
    rows = police.get_by_test_id("outgoing-row").filter(has_text=texts["summary"])
    expect(rows).to_have_count(2, timeout=WAIT)
    fire_row = rows.filter(has_text=f"{console_hub.area.title()} Fire")
    ambulance_row = rows.filter(has_text=f"{console_hub.area.title()} Ambulance")
    expect(ambulance_row.get_by_test_id("withheld")).to_contain_text(
        f"Withheld from {console_hub.area.title()} Ambulance")
    expect(ambulance_row.get_by_test_id("withheld")).to_contain_text("Medical details")
    expect(ambulance_row.get_by_test_id("agreement-applied")).to_contain_text("No agreement")
    expect(fire_row.get_by_test_id("agreement-applied")).to_contain_text(
        f"isa-{console_hub.area} v1")
    expect(fire_row.get_by_test_id("withheld")).to_have_count(0)
    # The receipt says the same.
    expect(police.get_by_test_id("receipt-withheld")).to_have_count(1)

    # The incident view of each transfer.
    ambulance_row.get_by_role("link").first.click()
    expect(police.get_by_test_id("incident-view")).to_be_visible(timeout=WAIT)
    expect(police.get_by_test_id("withheld")).to_contain_text("Caller identity and phone",
                                                               timeout=WAIT)
    expect(police.get_by_test_id("medical")).to_contain_text(texts["medical"])  # the sender's own
    police.get_by_test_id("nav-outgoing").click()
    # The list renders after the route changes: click the row once it is there, and
    # read the incident view only once it has replaced the list.
    expect(fire_row).to_be_visible(timeout=WAIT)
    fire_row.get_by_role("link").first.click()
    expect(police.get_by_test_id("incident-view")).to_be_visible(timeout=WAIT)
    expect(police.get_by_test_id("outgoing-row")).to_have_count(0, timeout=WAIT)
    expect(police.get_by_test_id("agreement-applied")).to_contain_text(
        f"isa-{console_hub.area} v1", timeout=WAIT)
    expect(police.get_by_test_id("withheld")).to_have_count(0)
    assert police.errors == []


def test_the_recipient_sees_what_its_agreement_allows_and_what_was_withheld(browser,
                                                                           console_hub):
    texts = canaries()
    ambulance = sign_in(browser, console_hub, "ambulance")
    fire = sign_in(browser, console_hub, "fire")
    ambulance.get_by_test_id("nav-queue").click()
    fire.get_by_test_id("nav-queue").click()
    reference = send_by_api(console_hub, ["fire", "ambulance"], texts)

    # Ambulance (no agreement): the queue says something was withheld.
    row = ambulance.get_by_test_id("queue-row").filter(has_text=reference)
    expect(row).to_be_visible(timeout=WAIT)
    expect(row.get_by_test_id("queue-withheld")).to_contain_text("Medical details")
    row.get_by_role("link", name="Open").click()
    notice = ambulance.get_by_test_id("withheld-notice")
    expect(notice).to_be_visible(timeout=WAIT)
    expect(notice).to_contain_text("No data-sharing agreement")
    expect(notice).to_contain_text("Medical details")
    expect(notice).to_contain_text("01656 655555")  # police's phone: ring for more
    expect(ambulance.get_by_test_id("incident-view")).to_contain_text("Castle Street")
    html = ambulance.content()
    for name, text in texts.items():
        assert text not in html, f"{name} reached the ambulance operator's page"
    assert "OSCANARY" not in html and "MEDCANARY" not in html
    expect(ambulance.get_by_test_id("officer-safety")).to_have_count(0)
    assert ambulance.evaluate(UNLABELLED) == []
    # The record the console downloads for the agency's files is redacted the same way.
    with ambulance.expect_download() as download:
        ambulance.get_by_test_id("export").click()
    record = Path(download.value.path()).read_text()
    assert reference in record and "Castle Street" in record
    for name, text in texts.items():
        assert text not in record, f"{name} reached the ambulance's exported record"

    # Fire (agreement: every class): everything, officer safety in the warning style.
    row = fire.get_by_test_id("queue-row").filter(has_text=reference)
    expect(row).to_be_visible(timeout=WAIT)
    expect(row.get_by_test_id("queue-officer-safety")).to_contain_text("firearms licence holder")
    expect(row.get_by_test_id("queue-withheld")).to_have_count(0)
    row.get_by_role("link", name="Open").click()
    expect(fire.get_by_test_id("medical")).to_contain_text(texts["medical"], timeout=WAIT)
    expect(fire.get_by_test_id("intelligence")).to_contain_text(texts["intelligence"])
    expect(fire.get_by_test_id("vulnerability")).to_contain_text(texts["vulnerability"])
    expect(fire.get_by_test_id("officer-safety")).to_contain_text(texts["officer_safety"])
    expect(fire.get_by_test_id("incident-view")).to_contain_text(texts["caller"])
    expect(fire.get_by_test_id("withheld-notice")).to_have_count(0)
    expect(fire.get_by_test_id("agreement-applied")).to_contain_text(
        f"isa-{console_hub.area} v1")
    assert ambulance.errors == [] and fire.errors == []


def test_the_agreements_panel_lists_only_the_agencys_own_agreements(browser, console_hub):
    police = sign_in(browser, console_hub, "police")
    ambulance = sign_in(browser, console_hub, "ambulance")

    police.get_by_test_id("nav-agreements").click()
    panel = police.get_by_test_id("agreements")
    row = panel.locator(f'[data-testid="agreement-row"][data-agreement-id="isa-{console_hub.area}"]')
    expect(row).to_have_count(1, timeout=WAIT)
    expect(row).to_contain_text(f"{console_hub.area.title()} Police")
    expect(row).to_contain_text(f"{console_hub.area.title()} Fire")
    expect(row).to_contain_text("Medical details")
    expect(row).to_contain_text("UK GDPR")
    expect(row).to_contain_text("365 days")
    expect(row).to_contain_text("In force")
    expect(row.get_by_test_id("review-overdue")).to_have_count(0)

    ambulance.get_by_test_id("nav-agreements").click()
    expect(ambulance.get_by_test_id("agreements-empty")).to_be_visible(timeout=WAIT)
    expect(ambulance.get_by_test_id("agreement-row")).to_have_count(0)
    expect(ambulance.get_by_test_id("agreements")).not_to_contain_text(f"isa-{console_hub.area}")
    assert police.errors == [] and ambulance.errors == []


def test_a_partial_agreement_withholds_only_what_it_does_not_cover(browser, console_hub):
    """Police and ambulance agree on the situation only, and the review date has passed:
    the panel flags it, and the ambulance receives the summary but not the medical text."""
    police, ambulance_id = console_hub.agencies["police"], console_hub.agencies["ambulance"]
    agreement_id = f"isa-amb-{console_hub.area}"
    terms = AgreementTerms(parties=[police, ambulance_id], purpose="Road safety partnership",
                           data_classes=[DataClass.SITUATION],
                           lawful_basis="UK GDPR Art. 6(1)(e) public task",
                           review_date=date.today() - timedelta(days=3), retention_days=90)
    transaction(console_hub.process.db, sharing.add(agreement_id, terms, "cli:test", time.time()))

    ambulance = sign_in(browser, console_hub, "ambulance")
    ambulance.get_by_test_id("nav-agreements").click()
    row = ambulance.locator(f'[data-testid="agreement-row"][data-agreement-id="{agreement_id}"]')
    expect(row.get_by_test_id("review-overdue")).to_contain_text("Review overdue", timeout=WAIT)
    expect(row).to_contain_text("90 days")

    texts = canaries()
    ambulance.get_by_test_id("nav-queue").click()
    reference = send_by_api(console_hub, ["ambulance"], texts)
    queue_row = ambulance.get_by_test_id("queue-row").filter(has_text=reference)
    expect(queue_row).to_contain_text(texts["summary"], timeout=WAIT)
    queue_row.get_by_role("link", name="Open").click()
    notice = ambulance.get_by_test_id("withheld-notice")
    expect(notice).to_contain_text(f"{agreement_id} v1", timeout=WAIT)
    expect(notice).to_contain_text("Road safety partnership")
    expect(notice).to_contain_text("Medical details")
    expect(notice).not_to_contain_text("Summary")
    html = ambulance.content()
    assert texts["summary"] in html
    assert texts["medical"] not in html and texts["intelligence"] not in html
    assert ambulance.errors == []


def test_the_new_screens_are_labelled_and_fit_a_control_room_screen(browser, console_hub):
    police = sign_in(browser, console_hub, "police")
    fill_incident(police, console_hub, ["fire", "ambulance"], canaries())
    police.get_by_test_id("send-preview").click()
    expect(police.get_by_test_id("preview-partner")).to_have_count(2, timeout=WAIT)
    for check in ("send form with the preview", "agreements"):
        if check == "agreements":
            police.get_by_test_id("nav-agreements").click()
            police.get_by_test_id("agreement-row").first.wait_for()
        assert police.evaluate(UNLABELLED) == [], check
        width = police.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"{check} scrolls sideways ({width} px)"

    # A field error inside the collapsed section opens it and sits next to the field.
    police.get_by_test_id("nav-send").click()
    police.get_by_test_id("send-sensitive-toggle").click()  # collapse it again
    police.get_by_test_id("send-vulnerability-flags").evaluate(
        "el => { el.value = Array.from({length: 21}, (_, i) => 'flag ' + i).join(', ') }")
    police.get_by_test_id("send-submit").click()
    error = police.locator('[data-testid="field-error"][data-field="incident.vulnerability.flags"]')
    expect(error).to_be_visible(timeout=WAIT)
    described = police.get_by_test_id("send-vulnerability-flags").get_attribute(
        "aria-describedby")
    assert error.get_attribute("id") in described.split()
    assert police.errors == []
