"""The control-room console in a real browser: police sends to fire, fire sees it arrive
without a reload and accepts, police sees "accepted"; a rejection with a reason; an
unanswered transfer raises the overdue alarm; no agency sees another's traffic."""

from __future__ import annotations

import re
import secrets

import httpx
from playwright.sync_api import expect

from conftest import sign_in

WAIT = 10_000  # ms: generous; the console should show arrivals within a second


def send_incident(page, hub, to: list[str], summary: str) -> str:
    page.get_by_test_id("nav-send").click()
    reference = f"E2E-{secrets.token_hex(3)}"
    page.get_by_test_id("send-reference").fill(reference)
    for service in to:
        page.get_by_test_id(f"send-recipient-{hub.agencies[service]}").check()
    page.get_by_test_id("send-type").select_option("road-traffic-collision")
    page.get_by_test_id("send-priority").select_option("emergency")
    page.get_by_test_id("send-summary").fill(summary)
    page.get_by_test_id("send-easting").fill("318040")
    page.get_by_test_id("send-northing").fill("176420")
    page.get_by_test_id("send-address").fill("Castle Street, Cardiff CF10 1BS")
    page.get_by_test_id("send-submit").click()
    expect(page.get_by_test_id("outgoing-row").filter(has_text=summary).first).to_be_visible(
        timeout=WAIT)
    return reference


def test_police_sends_fire_accepts_and_police_sees_accepted(browser, console_hub):
    police = sign_in(browser, console_hub, "police")
    fire = sign_in(browser, console_hub, "fire")
    fire.get_by_test_id("nav-queue").click()

    summary = f"Two-car RTC, driver trapped {secrets.token_hex(2)}"
    send_incident(police, console_hub, ["fire"], summary)

    # Fire sees it arrive without a reload.
    row = fire.get_by_test_id("queue-row").filter(has_text=summary)
    expect(row).to_be_visible(timeout=WAIT)
    row.get_by_test_id("accept").click()

    outgoing = police.get_by_test_id("outgoing-row").filter(has_text=summary)
    expect(outgoing).to_have_attribute("data-state", "accepted", timeout=WAIT)
    expect(outgoing.get_by_test_id("status-pill")).to_contain_text(re.compile("accepted", re.I))

    # The incident view shows the fields, the map and the timeline.
    outgoing.get_by_role("link").first.click()
    view = police.get_by_test_id("incident-view")
    expect(view).to_contain_text(summary, timeout=WAIT)
    expect(view).to_contain_text("Castle Street")
    expect(police.get_by_test_id("map")).to_be_visible()
    timeline = police.get_by_test_id("timeline")
    expect(timeline).to_contain_text(re.compile("accepted", re.I))
    expect(timeline).to_contain_text(re.compile("delivered", re.I))
    assert police.errors == [] and fire.errors == []


def test_a_rejection_needs_a_reason_and_the_sender_sees_it(browser, console_hub):
    police = sign_in(browser, console_hub, "police")
    fire = sign_in(browser, console_hub, "fire")
    fire.get_by_test_id("nav-queue").click()
    summary = f"Car overturned on slip road {secrets.token_hex(2)}"
    send_incident(police, console_hub, ["fire"], summary)

    row = fire.get_by_test_id("queue-row").filter(has_text=summary)
    expect(row).to_be_visible(timeout=WAIT)
    row.get_by_test_id("reject").click()
    reason = fire.get_by_test_id("reject-reason")
    expect(reason).to_be_visible()
    reason.fill("No appliances available: all committed")
    fire.get_by_test_id("reject-confirm").click()

    outgoing = police.get_by_test_id("outgoing-row").filter(has_text=summary)
    expect(outgoing).to_have_attribute("data-state", "rejected", timeout=WAIT)
    expect(outgoing).to_contain_text("No appliances available")


def test_an_unanswered_transfer_raises_the_phone_them_alarm(browser, console_hub):
    police = sign_in(browser, console_hub, "police")
    summary = f"Male collapsed in street {secrets.token_hex(2)}"
    # The ambulance service's deadlines are 3 s in this hub, and nobody is signed in there.
    send_incident(police, console_hub, ["ambulance"], summary)
    banner = police.get_by_test_id("overdue-banner")
    expect(banner).to_be_visible(timeout=WAIT)
    expect(banner).to_contain_text(re.compile("phone", re.I))
    expect(police.get_by_test_id("overdue-phone")).to_contain_text("01745 532900")


def test_an_operator_sees_only_their_agencys_traffic(browser, console_hub):
    police = sign_in(browser, console_hub, "police")
    ambulance = sign_in(browser, console_hub, "ambulance")
    summary = f"Private police-to-fire job {secrets.token_hex(2)}"
    send_incident(police, console_hub, ["fire"], summary)

    ambulance.get_by_test_id("nav-queue").click()
    ambulance.wait_for_timeout(1500)
    expect(ambulance.get_by_text(summary)).to_have_count(0)
    ambulance.get_by_test_id("nav-outgoing").click()
    expect(ambulance.get_by_text(summary)).to_have_count(0)

    # And at the HTTP level, with the ambulance operator's own session cookie.
    cookies = {c["name"]: c["value"] for c in ambulance.context.cookies()}
    with httpx.Client(base_url=console_hub.url, cookies=cookies) as http:
        received = http.get("/v1/transfers", params={"role": "received"}).json()
        assert all(t["recipient"] == console_hub.agencies["ambulance"] for t in received)
        police_cookies = {c["name"]: c["value"] for c in police.context.cookies()}
        sent = httpx.get(f"{console_hub.url}/v1/transfers", params={"role": "sent"},
                         cookies=police_cookies).json()
        mine = [t for t in sent if t["recipient"] == console_hub.agencies["fire"]]
        assert mine, sent
        assert http.get(f"/v1/transfers/{mine[0]['transfer_id']}").status_code == 404
        # Changing anything with the cookie needs the CSRF header.
        r = http.post(f"/v1/transfers/{mine[0]['transfer_id']}/decision",
                      json={"decision": "accepted"})
        assert r.status_code == 403


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.offsetParent !== null && el.type !== 'hidden')
  .filter(el => {
    const name = (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
      || (el.labels && el.labels.length) || el.title
      || (el.tagName === 'BUTTON' && el.textContent.trim()));
    return !name;
  })
  .map(el => el.outerHTML.slice(0, 120))"""


def test_every_view_is_offline_labelled_and_fits_a_control_room_screen(browser, console_hub):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.goto(f"{console_hub.url}/console/")
    page.get_by_test_id("login-username").fill(console_hub.username("police"))
    page.get_by_test_id("login-password").fill("correct horse battery")
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("whoami").wait_for()
    send_incident(page, console_hub, ["fire"], f"Accessibility check {secrets.token_hex(2)}")

    views = ["nav-queue", "nav-outgoing", "nav-send", "nav-dashboard"]
    for view in views:
        page.get_by_test_id(view).click()
        page.wait_for_timeout(400)
        assert page.evaluate(UNLABELLED) == [], view
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"{view} scrolls sideways ({width} px)"
    page.get_by_test_id("nav-outgoing").click()
    page.get_by_test_id("outgoing-row").first.get_by_role("link").first.click()
    page.get_by_test_id("map").wait_for()
    assert page.evaluate(UNLABELLED) == []

    # Nothing was fetched from anywhere but the hub (no tiles, fonts or CDN scripts).
    elsewhere = [u for u in requests
                 if not u.startswith((console_hub.url, "ws://127.0.0.1", "data:"))]
    assert elsewhere == []
    context.close()
