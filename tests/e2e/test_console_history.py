"""The console shows an incident's update history: the latest updates with the incident,
earlier ones a page at a time, each update's text on its timeline event, and a new
update as soon as it arrives."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import expect

from conftest import sign_in
from samples import incident

WAIT = 10_000  # ms


def test_the_incident_view_shows_the_update_history(browser, console_hub):
    api = httpx.Client(base_url=console_hub.url, timeout=10, headers={
        "Authorization": f"Bearer {console_hub.tokens['police']}"})
    with api:
        sent = incident()
        r = api.post("/v1/incidents", json={"message_id": str(uuid.uuid4()),
                                            "recipients": [console_hub.agencies["fire"]],
                                            "incident": sent})
        tid = r.json()["transfers"][0]["transfer_id"]
        for n in range(1, 13):
            assert api.post(f"/v1/incidents/{sent['reference']}/updates", json={
                "message_id": str(uuid.uuid4()),
                "update": {"text": f"Sitrep {n:02d}: cordon holding"}}).status_code == 201

        fire = sign_in(browser, console_hub, "fire")
        fire.goto(f"{console_hub.url}/console/#/transfer/{tid}")
        panel = fire.get_by_test_id("update-history")
        expect(panel).to_contain_text("Update history (12)", timeout=WAIT)
        records = panel.get_by_test_id("update-record")
        expect(records).to_have_count(5)  # the latest five come with the transfer
        expect(records.first).to_have_attribute("data-version", "12")
        expect(fire.get_by_test_id("incident-view")).to_contain_text(sent["notes"])

        panel.get_by_test_id("update-history-more").click()
        expect(records).to_have_count(12)
        expect(records.last).to_contain_text("Sitrep 01: cordon holding")
        expect(panel.get_by_test_id("update-history-more")).to_have_count(0)
        # The timeline names each update and, once loaded, shows its text.
        expect(fire.get_by_test_id("timeline")).to_contain_text("Update #1 from")
        expect(fire.get_by_test_id("timeline")).to_contain_text("Sitrep 01: cordon holding")

        # A new update shows up without a reload.
        api.post(f"/v1/incidents/{sent['reference']}/updates", json={
            "message_id": str(uuid.uuid4()), "update": {"text": "Sitrep 13: stood down"}})
        expect(panel).to_contain_text("Update history (13)", timeout=WAIT)
        expect(records.first).to_contain_text("Sitrep 13: stood down")
    assert fire.errors == []
