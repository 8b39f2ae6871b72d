"""Data-sharing agreements against a real hub over HTTP, the WebSocket and a console
session: what is withheld, what the sender is told, the preview, versions."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from bluelight.client import Client
from hubprocess import HubProcess, unique
from samples import incident

PASSWORD = "correct horse battery"
SECRET = {"medical": "QXMEDICALQX on insulin",
          "intelligence": "QXINTELQX known to carry a knife",
          "officer_safety": {"markers": ["QXOFFICERQX firearms licence"]},
          "vulnerability": {"flags": ["QXVULNQX lives alone"]}}


@pytest.fixture
def trio(hub: HubProcess) -> dict:
    """Police, fire and ambulance of a new area with NO agreement between them."""
    area = unique("isa")
    out = {}
    for service in ("police", "fire", "ambulance"):
        agency = f"uk.{service}.{area}"
        out[service] = agency
        out[f"{service}_token"] = hub.add_agency(agency, service)
        hub.add_operator(f"{service[0]}-{area}", agency, f"{service} operator", PASSWORD)
        out[f"{service}_user"] = f"{service[0]}-{area}"
    return out


def http(hub: HubProcess, token: str) -> httpx.Client:
    return httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"},
                        timeout=10)


def send(hub, trio, recipients, **changes) -> dict:
    with http(hub, trio["police_token"]) as c:
        r = c.post("/v1/incidents", json={
            "message_id": str(uuid.uuid4()), "recipients": [trio[r] for r in recipients],
            "incident": incident(**(SECRET | changes))})
        assert r.status_code == 201, r.text
        return r.json()


def test_with_no_agreement_only_the_operational_minimum_flows(hub, trio):
    receipt = send(hub, trio, ["fire"])
    transfer = receipt["transfers"][0]
    # The sender is told at once what was withheld, and under no agreement.
    assert "agreement" not in transfer
    assert {"incident.caller", "incident.medical", "incident.summary", "incident.notes",
            "incident.casualties", "incident.intelligence"} <= set(transfer["withheld"])

    with http(hub, trio["fire_token"]) as c:
        entries = c.get("/v1/inbox").json()["entries"]
        offer = next(e for e in entries if e["transfer_id"] == transfer["transfer_id"])
        got = offer["body"]["incident"]
        view = c.get(f"/v1/transfers/{transfer['transfer_id']}").json()
    for seen in (got, view["incident"]):
        # The operational minimum: location, type, hazards, resources requested.
        assert seen["type"] == "road-traffic-collision"
        assert seen["location"]["address"] == "Castle Street, Cardiff CF10 1BS"
        assert seen["hazards"] == ["fuel leak", "live traffic"]
        assert seen["resources_requested"][0]["kind"] == "fire appliance"
        assert "withheld" in seen["summary"]
        for name in ("caller", "medical", "intelligence", "officer_safety", "vulnerability",
                     "casualties", "notes"):
            assert name not in seen
    assert offer["body"]["withheld"] == transfer["withheld"]
    assert "QX" not in json.dumps(entries) + json.dumps(view)
    # The sender's own view is whole, with the withholding shown.
    with http(hub, trio["police_token"]) as c:
        mine = c.get(f"/v1/transfers/{transfer['transfer_id']}").json()
    assert mine["incident"]["medical"] == SECRET["medical"]
    assert mine["withheld"] == transfer["withheld"]


def test_an_agreement_lets_its_classes_through_and_each_transfer_records_its_version(
        hub, trio):
    pair = [trio["police"], trio["fire"]]
    hub.add_agreement(f"isa-{trio['police'].split('.')[-1]}", pair, ["situation", "caller"])
    first = send(hub, trio, ["fire"])["transfers"][0]
    assert first["agreement"]["version"] == 1
    assert set(first["withheld"]) == {"incident.medical", "incident.intelligence",
                                      "incident.officer_safety", "incident.vulnerability"}
    agreement = hub.add_agreement(f"isa-{trio['police'].split('.')[-1]}", pair,
                                  ["situation", "caller", "medical"])
    assert agreement.version == 2
    second = send(hub, trio, ["fire"])["transfers"][0]
    assert second["agreement"]["version"] == 2
    assert "incident.medical" not in second["withheld"]

    with http(hub, trio["fire_token"]) as c:
        old = c.get(f"/v1/transfers/{first['transfer_id']}").json()["incident"]
        new = c.get(f"/v1/transfers/{second['transfer_id']}").json()["incident"]
        mine = c.get("/v1/agreements").json()
    assert old["caller"]["name"] == "Jane Evans" and "medical" not in old
    assert new["medical"] == SECRET["medical"] and "intelligence" not in new
    assert [a["version"] for a in mine] == [2, 1]
    assert mine[0]["lawful_basis"] and mine[0]["retention_days"] == 365
    # An agency not party to it does not see it.
    with http(hub, trio["ambulance_token"]) as c:
        assert c.get("/v1/agreements").json() == []


def test_preview_says_what_each_partner_would_receive_and_stores_nothing(hub, trio):
    hub.add_agreement(f"isa-p-{trio['police'].split('.')[-1]}",
                      [trio["police"], trio["ambulance"]], ["situation", "medical"])
    with http(hub, trio["police_token"]) as c:
        r = c.post("/v1/sharing/preview", json={
            "recipients": [trio["fire"], trio["ambulance"]],
            "incident": incident(**SECRET)})
        assert r.status_code == 200, r.text
        fire, ambulance = r.json()
        assert "agreement" not in fire and fire.get("data_classes", []) == []
        assert "incident.medical" in fire["withheld"]
        assert ambulance["agreement"]["version"] == 1
        assert ambulance["incident"]["medical"] == SECRET["medical"]
        assert "incident.caller" in ambulance["withheld"]
        assert c.get("/v1/transfers").json() == []  # nothing was sent
        bad = c.post("/v1/sharing/preview", json={"recipients": ["uk.fire.nowhere"],
                                                  "incident": incident()})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "recipients[0]"


async def test_updates_and_closures_are_redacted_on_the_stream_too(hub, trio):
    sent = send(hub, trio, ["fire"])
    reference = sent["reference"]
    with http(hub, trio["police_token"]) as c:
        assert c.post(f"/v1/incidents/{reference}/updates", json={
            "message_id": str(uuid.uuid4()),
            "update": {"text": "QXSITUATIONQX patient now unconscious",
                       "priority": "emergency"}}).status_code == 201
        assert c.post(f"/v1/incidents/{reference}/closure", json={
            "message_id": str(uuid.uuid4()),
            "closure": {"outcome": "resolved", "text": "QXSITUATIONQX taken to UHW"}},
        ).status_code == 201
    async with Client(hub.url, trio["fire_token"]) as client:
        seen = []
        async with client.stream(after=0, auto_ack=True) as stream:
            async for entry in stream:
                seen.append(entry)
                if entry.kind == "incident.closed":
                    break
    frames = json.dumps([json.loads(bytes(e.body)) for e in seen])
    assert "QX" not in frames
    update = next(json.loads(bytes(e.body)) for e in seen if e.kind == "incident.update")
    assert update["update"]["priority"] == "emergency"  # operational: flows
    assert "update.text" in update["withheld"]
    closed = next(json.loads(bytes(e.body)) for e in seen if e.kind == "incident.closed")
    assert closed["withheld"] == ["closure.text"] and "text" not in closed
    tid = sent["transfers"][0]["transfer_id"]
    with http(hub, trio["fire_token"]) as c:
        timeline = c.get(f"/v1/transfers/{tid}/timeline")
        export = c.get(f"/v1/transfers/{tid}/export")
        updates = c.get(f"/v1/transfers/{tid}/updates")
        view = c.get(f"/v1/transfers/{tid}")
        written = [c.get(f"/v1/transfers/{tid}/export", params={"format": fmt}).text
                   for fmt in ("mait-xml", "eido", "cap", "edxl-de")]
    assert timeline.status_code == export.status_code == updates.status_code == 200
    assert "QX" not in timeline.text + export.text + updates.text + view.text
    assert not any("QX" in text for text in written)
    assert export.json()["transfer"]["withheld"]
    # The update history says the text was there and was withheld, never that it was not.
    assert updates.json()["withheld"] == ["update.text"]
    assert updates.json()["updates"][0]["version"] == 1
    assert "text" not in updates.json()["updates"][0]
    assert view.json()["updates"]["withheld"] == ["update.text"]
    with http(hub, trio["police_token"]) as c:  # the sender keeps it all
        own = c.get(f"/v1/transfers/{tid}/updates").json()
    assert own["updates"][0]["text"] == "QXSITUATIONQX patient now unconscious"


def test_a_console_session_sees_the_same_redacted_copy(hub, trio):
    sent = send(hub, trio, ["fire"])
    tid = sent["transfers"][0]["transfer_id"]
    with httpx.Client(base_url=hub.url, timeout=10) as console:
        r = console.post("/console/api/session", json={"username": trio["fire_user"],
                                                       "password": PASSWORD})
        assert r.status_code == 200
        view = console.get(f"/v1/transfers/{tid}")
    assert view.status_code == 200
    assert "QX" not in view.text and "Jane Evans" not in view.text


def test_the_audit_chain_stays_intact_while_the_hub_and_the_cli_both_write(hub, trio):
    """The hub's writer remembers the chain's head between records; agreements stated
    from another connection (as `bluelight agreement add` does) must not fork it."""
    import os
    import subprocess
    import sys

    for n in range(3):
        hub.add_agreement(f"isa-chain-{n}-{trio['police'].split('.')[-1]}",
                          [trio["police"], trio["fire"]], ["caller"])
        send(hub, trio, ["fire"])
    out = subprocess.run([sys.executable, "-m", "bluelight.cli", "audit",
                          "verify", "--json"], capture_output=True, text=True, timeout=60,
                         env=os.environ | hub.cli_env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["ok"] is True


def test_an_update_goes_under_the_version_in_force_when_it_is_sent(hub, trio):
    agreement_id = f"isa-v-{trio['police'].split('.')[-1]}"
    pair = [trio["police"], trio["fire"]]
    hub.add_agreement(agreement_id, pair, ["situation"])
    sent = send(hub, trio, ["fire"])
    hub.add_agreement(agreement_id, pair, ["situation", "medical"])  # version 2
    with http(hub, trio["police_token"]) as c:
        assert c.post(f"/v1/incidents/{sent['reference']}/updates", json={
            "message_id": str(uuid.uuid4()), "update": {"text": "more"}}).status_code == 201
    tid = sent["transfers"][0]["transfer_id"]
    with http(hub, trio["fire_token"]) as c:
        entries = c.get("/v1/inbox", params={"after": 0}).json()["entries"]
        view = c.get(f"/v1/transfers/{tid}").json()
    update = next(e for e in entries if e["kind"] == "incident.update"
                  and e["transfer_id"] == tid)
    assert update["body"]["agreement"] == {"id": agreement_id, "version": 2}
    assert update["body"]["incident"]["medical"] == SECRET["medical"]
    assert view["agreement"]["version"] == 2
