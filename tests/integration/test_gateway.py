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
