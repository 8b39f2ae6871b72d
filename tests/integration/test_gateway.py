"""The standards gateway at the HTTP level: a message in another standard is translated,
handled like its native equivalent, and stored exactly as received."""

from __future__ import annotations

import sqlite3
import uuid

import httpx
import msgspec
import pytest

from samples import incident


@pytest.fixture
def http(hub):
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        yield client


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_message_is_stored_as_received_and_handled_as_native(hub, http, region):
    body = msgspec.json.encode({"message_id": str(uuid.uuid4()), "recipients": [region.fire.id],
                                "incident": incident()})
    r = http.post("/v1/messages", params={"format": "bluelight"}, content=body,
                  headers=auth(region.police.token) | {"content-type": "application/json"})
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["status"] == "stored"
    offer = http.get("/v1/inbox", headers=auth(region.fire.token)).json()["entries"][0]
    assert offer["transfer_id"] == receipt["transfers"][0]["transfer_id"]

    db = sqlite3.connect(hub.db)
    stored = db.execute("SELECT format, media_type, body FROM raw_messages WHERE incident_id = ?",
                        (receipt["incident_id"],)).fetchall()
    db.close()
    assert stored == [("bluelight", "application/json", body)]

    # Resending the same foreign message is idempotent, as on the native API.
    again = http.post("/v1/messages", params={"format": "bluelight"}, content=body,
                      headers=auth(region.police.token) | {"content-type": "application/json"})
    assert again.status_code == 200 and again.json() == receipt


def test_a_message_the_hub_cannot_read_gets_a_problem_naming_the_fault(http, region):
    r = http.post("/v1/messages", content=b'{"colour": "blue"}',
                  headers=auth(region.police.token) | {"content-type": "application/json"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["field"] == "(document)"
    r = http.post("/v1/messages", params={"format": "no-such"}, content=b"{}",
                  headers=auth(region.police.token))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.format"


def test_an_acknowledgement_must_name_a_message_sent_to_you(hub, http, region):
    from bluelight.domain.translation import Native
    from bluelight.services import gateway

    assert gateway.acknowledged_seq(
        Native(kind="acknowledgement", acknowledges=f"bluelight:{region.fire.id}/7"),
        region.fire.id) == 7
    with pytest.raises(Exception) as other:
        gateway.acknowledged_seq(
            Native(kind="acknowledgement", acknowledges=f"bluelight:{region.police.id}/7"),
            region.fire.id)
    assert "acknowledges" in str(other.value)


# -- across standards -------------------------------------------------------------------

from shared_data import CONFORMANCE  # noqa: E402

ENVELOPED = CONFORMANCE / "hubsante" / "valid" / "enveloped" / "create-case-fire-to-health.json"


@pytest.fixture
def french(hub):
    """The senders and recipients named in the French hub's conformance sample, as
    agencies that speak EDXL-DE, registered once per hub."""
    if not hasattr(hub, "_french"):
        hub._french = {
            "cisu": hub.add_agency("fr.fire.cisu", "fire", format="edxl-de"),
            "samu": hub.add_agency("fr.health.samu070", "ambulance", format="edxl-de"),
        }
    return hub._french


@pytest.mark.skipif(not ENVELOPED.exists(), reason="../shared/conformance is not beside the checkout")
def test_an_edxl_de_case_from_the_french_hub_reaches_its_recipient(hub, http, french):
    body = ENVELOPED.read_bytes()
    r = http.post("/v1/messages", content=body, headers=auth(french["cisu"]) | {
        "content-type": "application/json"})
    assert r.status_code in (200, 201), r.text
    receipt = r.json()
    assert [t["recipient"] for t in receipt["transfers"]] == ["fr.health.samu070"]

    inbox = http.get("/v1/inbox", headers=auth(french["samu"])).json()["entries"]
    offer = next(e for e in inbox if e["transfer_id"] == receipt["transfers"][0]["transfer_id"])
    assert offer["body"]["sender"] == "fr.fire.cisu"
    assert offer["body"]["incident"]["location"]["lat"]  # the case's coordinates survived
    # The recipient speaks EDXL-DE too, so the entry also comes written in it.
    assert offer["rendered"]["format"] == "edxl-de"
    assert '"distributionID"' in offer["rendered"]["data"]

    db = sqlite3.connect(hub.db)
    (fmt,) = db.execute("SELECT format FROM raw_messages WHERE incident_id = ?",
                        (receipt["incident_id"],)).fetchone()
    db.close()
    assert fmt == "edxl-de"

    # Claiming to be the French fire service with another agency's credential fails.
    r = http.post("/v1/messages", content=body, params={"format": "edxl-de"},
                  headers=auth(french["samu"]) | {"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "sender"


def test_what_the_recipients_standard_cannot_carry_is_shown_to_both_sides(hub, http, region,
                                                                          french):
    sent = incident(location={"uprn": "10033544614", "easting": 318040, "northing": 176420,
                              "address": "Castle Street, Cardiff"})
    r = http.post("/v1/incidents", headers=auth(region.police.token), json={
        "message_id": str(uuid.uuid4()), "recipients": ["fr.health.samu070"], "incident": sent})
    assert r.status_code == 201, r.text
    tid = r.json()["transfers"][0]["transfer_id"]
    # The hub takes the native JSON; EDXL-DE has no UPRN or British grid reference.
    for token in (region.police.token, french["samu"]):
        losses = http.get(f"/v1/transfers/{tid}", headers=auth(token)).json()["losses"]
        assert "incident.location.uprn" in losses
        assert "incident.location.easting" in losses

    entries = http.get("/v1/inbox", headers=auth(french["samu"])).json()["entries"]
    offer = next(e for e in entries if e["transfer_id"] == tid)
    assert "incident.location.uprn" in offer["rendered"]["losses"]
    assert "10033544614" not in offer["rendered"]["data"]
