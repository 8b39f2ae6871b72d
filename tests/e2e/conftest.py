"""Browser tests: real headless Chromium (Debian's, driven by Playwright) against a real
hub with the console, on 127.0.0.1. The browser has no network beyond loopback."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from hubprocess import HubProcess, unique

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser():
    """Per module: Playwright's sync API keeps an event loop running in this thread
    while the browser is open, which other (asyncio) tests must not inherit."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleHub:
    """A hub with a region of agencies, one console operator each."""

    def __init__(self, process: HubProcess) -> None:
        self.process = process
        self.url = process.url
        area = unique("e2e")
        self.agencies = {}
        self.tokens = {}
        for service, phone in [("police", "01656 655555"), ("fire", "01443 232000"),
                               ("ambulance", "01745 532900")]:
            agency_id = f"uk.{service}.{area}"
            self.tokens[service] = process.add_agency(
                agency_id, service, phone=phone, name=f"{area.title()} {service.title()}",
                ack_deadline_s=3 if service == "ambulance" else None,
                decision_deadline_s=3 if service == "ambulance" else None)
            process.add_operator(f"{service}-{area}", agency_id, f"{service.title()} Operator",
                                 PASSWORD)
            self.agencies[service] = agency_id
        self.area = area
        # Police and fire share everything; the ambulance service has no agreement with
        # either, so it receives only the operational minimum from them.
        process.add_agreement(f"isa-{area}", [self.agencies["police"], self.agencies["fire"]])

    def username(self, service: str) -> str:
        return f"{service}-{self.area}"


@pytest.fixture(scope="session")
def hub_process(tmp_path_factory):
    process = HubProcess(tmp_path_factory.mktemp("console")).start()
    yield process
    process.stop()


@pytest.fixture
def console_hub(hub_process) -> ConsoleHub:
    return ConsoleHub(hub_process)


def sign_in(browser, hub: ConsoleHub, service: str):
    """A fresh browser context (its own cookies) signed in as the agency's operator."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Script errors only: Chromium also logs every 4xx response (e.g. "not signed in")
    # as a console error, and those are expected answers, not faults of the page.
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None)
    page.errors = errors
    page.goto(f"{hub.url}/console/")
    page.get_by_test_id("login-username").fill(hub.username(service))
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("whoami").wait_for()
    return page
