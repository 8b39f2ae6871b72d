"""The standards gateway at the HTTP level: a message in another standard is translated,
handled like its native equivalent, and stored exactly as received."""

from __future__ import annotations

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

    stored = hub.sql("SELECT format, media_type, body FROM raw_messages WHERE incident_id = ?",
                     (receipt["incident_id"],))
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
    from bluelight.hub.domain.translation import Native
    from bluelight.hub.services import gateway

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

    [(fmt,)] = hub.sql("SELECT format FROM raw_messages WHERE incident_id = ?",
                       (receipt["incident_id"],))
    assert fmt == "edxl-de"

    # SAMU's system acknowledges; the French fire service hears "delivered" in its own
    # standard: an EDXL-DE acknowledgement naming the distribution it sent.
    http.post("/v1/inbox/acks", json={"seqs": [offer["seq"]]}, headers=auth(french["samu"]))
    original_id = msgspec.json.decode(body)["distributionID"]
    statuses = [e for e in http.get("/v1/inbox", headers=auth(french["cisu"])).json()["entries"]
                if e["kind"] == "transfer.status" and e["transfer_id"] == offer["transfer_id"]]
    assert statuses and statuses[0]["body"]["state"] == "delivered"
    rendered = statuses[0]["rendered"]
    assert rendered["format"] == "edxl-de"
    assert original_id in rendered["data"]

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


SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "samples"


def test_a_public_flood_warning_reaches_the_agencies_subscribed_to_its_source(hub, http, region):
    source = f"uk.other-responder.ea-{uuid.uuid4().hex[:6]}"
    ea = hub.add_agency(source, "other-responder", format="cap")
    for subscriber in (region.fire.id, region.police.id):
        hub.subscribe(subscriber, source)

    r = http.post("/v1/messages", content=(SAMPLES / "cap" / "ea-flood-warning.xml").read_bytes(),
                  headers=auth(ea) | {"content-type": "application/cap+xml"})
    assert r.status_code == 201, r.text
    assert sorted(t["recipient"] for t in r.json()["transfers"]) == sorted(
        [region.fire.id, region.police.id])
    offer = http.get("/v1/inbox", headers=auth(region.fire.token)).json()["entries"][0]
    assert offer["body"]["incident"]["type"] == "flood-water-rescue"
    assert offer["body"]["incident"]["location"]["lat"]  # the warning's area, located

    # Not subscribed: the ambulance service gets nothing.
    assert http.get("/v1/inbox", headers=auth(region.ambulance.token)).json()["entries"] == []


def test_a_public_alert_with_no_subscribers_is_refused_not_parked(hub, http):
    source = f"uk.other-responder.ea-{uuid.uuid4().hex[:6]}"
    ea = hub.add_agency(source, "other-responder", format="cap")
    r = http.post("/v1/messages", content=(SAMPLES / "cap" / "ea-flood-warning.xml").read_bytes(),
                  headers=auth(ea) | {"content-type": "application/cap+xml"})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert "addressed to nobody" in problem["detail"]
    assert problem["errors"] == [{"field": "recipients", "fault": "no recipient"}]
    # Nothing half-stored: no incident, no raw message.
    assert hub.sql("SELECT count(*) FROM raw_messages WHERE agency = ?", (source,)) == [(0,)]
    assert hub.sql("SELECT count(*) FROM incidents WHERE sender = ?", (source,)) == [(0,)]


def test_a_mait_xml_incident_is_handled_and_answered_in_mait_xml(hub, http, region):
    document = (SAMPLES / "mait" / "incident-create.xml").read_bytes()
    # The sample is from South Wales Police to the fire and ambulance services: give this
    # region's police the same id for this test by rewriting the addresses.
    document = (document.replace(b"uk.police.south-wales", region.police.id.encode())
                .replace(b"uk.fire.south-wales", region.fire.id.encode())
                .replace(b"uk.ambulance.wales", region.ambulance.id.encode()))
    r = http.post("/v1/messages", content=document, params={"format": "mait-xml"},
                  headers=auth(region.police.token) | {"content-type": "application/xml"})
    assert r.status_code == 201, r.text
    tid = next(t["transfer_id"] for t in r.json()["transfers"]
               if t["recipient"] == region.fire.id)
    entries = http.get("/v1/inbox", params={"format": "mait-xml"},
                       headers=auth(region.fire.token)).json()["entries"]
    offer = next(e for e in entries if e["transfer_id"] == tid)
    assert offer["rendered"]["format"] == "mait-xml"
    assert "<IncidentCreate" in offer["rendered"]["data"]
    assert offer["rendered"].get("losses", []) == []  # the profile carries everything

    # The recipient acknowledges in MAIT XML, naming the rendered message's id.
    ack = f"""<?xml version="1.0" encoding="UTF-8"?>
<Acknowledgement xmlns="urn:bluelight:mait:1.0">
  <Header><MessageID>ack-{uuid.uuid4().hex[:8]}</MessageID>
    <SentAt>2026-11-23T10:00:00Z</SentAt><From>{region.fire.id}</From>
    <To>{region.police.id}</To></Header>
  <Acknowledges>{offer["rendered"]["data"].split("<MessageID>")[1].split("</MessageID>")[0]}</Acknowledges>
</Acknowledgement>""".encode()
    r = http.post("/v1/messages", content=ack, params={"format": "mait-xml"},
                  headers=auth(region.fire.token) | {"content-type": "application/xml"})
    assert r.status_code in (200, 201), r.text
    assert http.get(f"/v1/transfers/{tid}",
                    headers=auth(region.police.token)).json()["state"] == "delivered"


@pytest.mark.skipif(not ENVELOPED.exists(), reason="../shared/conformance is not beside the checkout")
def test_with_the_official_schemas_configured_the_hub_checks_against_them(tmp_path):
    from hubprocess import HubProcess

    failing = CONFORMANCE / "hubsante" / "failing" / "unknown-property-deep.json"
    hub = HubProcess(tmp_path, env={
        "BLUELIGHT_EDXL_DE_SCHEMA_DIR": str(CONFORMANCE / "hubsante" / "schemas")})
    token = hub.add_agency("fr.fire.cisu", "fire", format="edxl-de")
    hub.add_agency("fr.health.samu070", "ambulance", format="edxl-de")
    hub.start()
    try:
        r = httpx.post(f"{hub.url}/v1/messages", content=failing.read_bytes(),
                       headers=auth(token) | {"content-type": "application/json"})
        assert r.status_code == 422, r.text
        assert r.json()["errors"] and all(e["field"] for e in r.json()["errors"])
        ok = httpx.post(f"{hub.url}/v1/messages", content=ENVELOPED.read_bytes(),
                        headers=auth(token) | {"content-type": "application/json"})
        assert ok.status_code == 201, ok.text
    finally:
        hub.stop()


def test_updates_in_another_standard_are_kept_as_received_too(hub, http, region):
    from bluelight.hub.adapters.codecs import mait_xml
    from bluelight.hub.domain.incident import IncidentUpdate
    from bluelight.hub.domain.translation import Native

    sent = incident()
    assert http.post("/v1/incidents", headers=auth(region.police.token), json={
        "message_id": str(uuid.uuid4()), "recipients": [region.fire.id],
        "incident": sent}).status_code == 201
    update = mait_xml.encode(Native(
        kind="update", message_id=str(uuid.uuid4()), sender=region.police.id,
        recipients=[region.fire.id], reference=sent["reference"],
        update=IncidentUpdate(text="Second casualty now trapped"))).data
    r = http.post("/v1/messages", params={"format": "mait-xml"}, content=update,
                  headers=auth(region.police.token) | {"content-type": "application/xml"})
    assert r.status_code == 201, r.text
    stored = hub.sql("SELECT format, body FROM raw_messages WHERE incident_id = ?",
                     (r.json()["incident_id"],))
    assert stored == [("mait-xml", update)]
