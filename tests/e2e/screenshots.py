"""Screenshots of the console's main screens for the README (`make screenshots`).

Runs the demo region (hub + simulated control rooms) for a while so the screens have
real traffic, then signs in as operators in headless Chromium and captures each view at
a control-room resolution (1366x768)."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from rich.console import Console

from bluelight.sim import demo
from bluelight.sim.hubprocess import HubProcess

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _traffic(url: str, tokens: dict, seconds: float) -> threading.Thread:
    quiet = Console(file=open("/dev/null", "w"))  # noqa: SIM115 - lives with the thread
    thread = threading.Thread(
        target=lambda: asyncio.run(demo._simulate(url, tokens, quiet, seconds, seed=3)),
        daemon=True)
    thread.start()
    return thread


def _unanswered(url: str, police_token: str) -> None:
    """An incident sent by a person (not the simulator), which the simulated coastguard
    acknowledges but nobody decides: its decision deadline passes, so the alarm shows."""
    import random
    import uuid

    import httpx

    from bluelight.sim.incidents import make_incident

    _, _, incident = make_incident(random.Random(5), "SWP-20261123-0042", sender="coastguard")
    httpx.post(f"{url}/v1/incidents", headers={"Authorization": f"Bearer {police_token}"},
               json={"message_id": str(uuid.uuid4()),
                     "recipients": ["uk.coastguard.milford-haven"], "incident": incident},
               timeout=10).raise_for_status()


def _signed_in(browser, url: str, service: str):
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{url}/console/")
    page.get_by_test_id("login-username").fill(service)
    page.get_by_test_id("login-password").fill(demo.demo_password(service))
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("whoami").wait_for()
    return page


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bluelight-shots-") as tmp:
        data = Path(tmp)
        tokens = demo.prepare(data, Console(), gazetteer_rows=2000)
        hub = HubProcess(data, env={"BLUELIGHT_LOG_LEVEL": "warning"}).start()
        try:
            _unanswered(hub.url, tokens["police"])
            traffic = _traffic(hub.url, tokens, 45)
            time.sleep(40)  # long enough for decisions and an overdue alarm (15 s)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                            args=CHROMIUM_ARGS)
                fire = _signed_in(browser, hub.url, "fire")
                fire.get_by_test_id("nav-queue").click()
                fire.wait_for_timeout(800)
                fire.screenshot(path=out / "queue.png")

                police = _signed_in(browser, hub.url, "police")
                police.get_by_test_id("nav-outgoing").click()
                police.wait_for_timeout(800)
                police.screenshot(path=out / "outgoing.png")
                police.get_by_test_id("outgoing-row").first.get_by_role("link").first.click()
                police.get_by_test_id("incident-view").wait_for()
                police.wait_for_timeout(800)
                police.screenshot(path=out / "incident.png")
                police.get_by_test_id("nav-send").click()
                police.wait_for_timeout(500)
                police.screenshot(path=out / "send.png")
                police.get_by_test_id("nav-dashboard").click()
                police.get_by_test_id("dashboard").wait_for()
                police.wait_for_timeout(800)
                police.screenshot(path=out / "dashboard.png")
                browser.close()
            traffic.join(10)
        finally:
            hub.stop()
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
