"""A message id is the sender's promise: resending it (after a timeout, a crash, a retry
storm) never sends twice, over HTTP or the WebSocket, for incidents and follow-ups."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest
import websockets

from bluelight.client import Client, HubError
from bluelight.hub.domain.transfer import EntryKind
from frames import next_frame
from samples import incident


def http(hub, token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=hub.url, timeout=15.0,
                             headers={"Authorization": f"Bearer {token}"})


def ws_url(hub) -> str:
    return hub.url.replace("http://", "ws://") + "/v1/stream"


def same_receipt(a: dict, b: dict) -> None:
    assert a["message_id"] == b["message_id"]
    assert a["incident_id"] == b["incident_id"]
    assert a["transfers"] == b["transfers"]
    assert a["stored_at"] == b["stored_at"]
    assert a == b


async def unacked(client: httpx.AsyncClient) -> list[dict]:
    response = await client.get("/v1/inbox", params={"limit": 1000})
    assert response.status_code == 200
    return response.json()["entries"]


async def sent(client: httpx.AsyncClient) -> list[dict]:
    response = await client.get("/v1/transfers", params={"role": "sent", "limit": 1000})
    assert response.status_code == 200
    return response.json()


async def test_resubmission_returns_the_first_receipt_and_stores_once(hub, region):
    body = {"message_id": str(uuid.uuid4()), "recipients": [region.fire.id],
            "incident": incident()}
    async with http(hub, region.police.token) as police, http(hub, region.fire.token) as fire:
        first = await police.post("/v1/incidents", json=body)
        assert first.status_code == 201, first.text
        again = await police.post("/v1/incidents", json=body)
        third = await police.post("/v1/incidents", json=body)
        assert again.status_code == 200 and third.status_code == 200
        same_receipt(first.json(), again.json())
        same_receipt(first.json(), third.json())

        transfers = await sent(police)
        assert [t["transfer_id"] for t in transfers] == [
            first.json()["transfers"][0]["transfer_id"]]
        entries = await unacked(fire)
        assert [e["kind"] for e in entries] == [EntryKind.INCIDENT_NEW.value]
        assert entries[0]["transfer_id"] == transfers[0]["transfer_id"]


async def test_resubmission_after_the_recipient_moved_on_still_returns_the_first_receipt(
        hub, region):
    # The receipt is the one given at the time (state "stored"), not a fresh view.
    message_id = uuid.uuid4()
    async with Client(hub.url, region.police.token) as police, \
            Client(hub.url, region.fire.token) as fire:
        sent_incident = incident()
        receipt = await police.submit([region.fire.id], sent_incident, message_id=message_id)
        await fire.accept(receipt.transfers[0].transfer_id)
        replay = await police.submit([region.fire.id], sent_incident, message_id=message_id)
        assert replay == receipt
        assert replay.transfers[0].state.value == "stored"
        assert len(await police.transfers(role="sent")) == 1


async def test_twenty_concurrent_submissions_make_one_transfer(hub, region):
    body = {"message_id": str(uuid.uuid4()),
            "recipients": [region.fire.id, region.ambulance.id], "incident": incident()}
    async with http(hub, region.police.token) as police, http(hub, region.fire.token) as fire, \
            http(hub, region.ambulance.token) as ambulance:
        responses = await asyncio.gather(*(police.post("/v1/incidents", json=body)
                                           for _ in range(20)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] * 19 + [201], [r.text for r in responses if r.status_code >= 300]
        receipts = [r.json() for r in responses]
        for receipt in receipts[1:]:
            same_receipt(receipts[0], receipt)

        transfers = await sent(police)
        assert len(transfers) == 2
        assert {t["transfer_id"] for t in transfers} == {
            t["transfer_id"] for t in receipts[0]["transfers"]}
        assert {t["incident_id"] for t in transfers} == {receipts[0]["incident_id"]}
        assert len(await unacked(fire)) == 1
        assert len(await unacked(ambulance)) == 1


async def test_same_message_id_with_other_content_is_a_conflict(hub, region):
    message_id = str(uuid.uuid4())
    original = incident()
    async with http(hub, region.police.token) as police, http(hub, region.fire.token) as fire:
        first = await police.post("/v1/incidents", json={
            "message_id": message_id, "recipients": [region.fire.id], "incident": original})
        assert first.status_code == 201
        changed = original | {"summary": "Something else entirely"}
        for body in [
            {"message_id": message_id, "recipients": [region.fire.id], "incident": changed},
            {"message_id": message_id, "recipients": [region.ambulance.id],
             "incident": original},
        ]:
            clash = await police.post("/v1/incidents", json=body)
            assert clash.status_code == 409, clash.text
            assert clash.headers["content-type"].startswith("application/problem+json")
            assert [e["field"] for e in clash.json()["errors"]] == ["message_id"]
        assert len(await sent(police)) == 1
        assert len(await unacked(fire)) == 1


async def test_same_message_id_from_two_senders_is_two_messages(hub, region):
    message_id = str(uuid.uuid4())
    async with http(hub, region.police.token) as police, \
            http(hub, region.coastguard.token) as coastguard, \
            http(hub, region.fire.token) as fire:
        # Same id, and even the same content: each sender has its own id space.
        same = incident()
        body = {"message_id": message_id, "recipients": [region.fire.id], "incident": same}
        from_police = await police.post("/v1/incidents", json=body)
        from_coastguard = await coastguard.post("/v1/incidents", json=body)
        assert from_police.status_code == 201, from_police.text
        assert from_coastguard.status_code == 201, from_coastguard.text
        assert from_police.json()["incident_id"] != from_coastguard.json()["incident_id"]
        assert len(await sent(police)) == 1
        assert len(await sent(coastguard)) == 1
        entries = await unacked(fire)
        assert len(entries) == 2
        senders = {e["body"]["sender"] for e in entries}
        assert senders == {region.police.id, region.coastguard.id}


async def test_resent_update_and_closure_are_applied_once(hub, region):
    async with http(hub, region.police.token) as police, http(hub, region.fire.token) as fire:
        sent_incident = incident()
        ref = sent_incident["reference"]
        created = await police.post("/v1/incidents", json={
            "message_id": str(uuid.uuid4()), "recipients": [region.fire.id],
            "incident": sent_incident})
        assert created.status_code == 201
        tid = created.json()["transfers"][0]["transfer_id"]

        update = {"message_id": str(uuid.uuid4()), "update": {"text": "Second casualty found"}}
        first = await police.post(f"/v1/incidents/{ref}/updates", json=update)
        again = await police.post(f"/v1/incidents/{ref}/updates", json=update)
        assert (first.status_code, again.status_code) == (201, 200)
        same_receipt(first.json(), again.json())
        assert first.json()["kind"] == "update"

        other = await police.post(f"/v1/incidents/{ref}/updates", json={
            "message_id": update["message_id"], "update": {"text": "Different words"}})
        assert other.status_code == 409
        assert [e["field"] for e in other.json()["errors"]] == ["message_id"]

        closure = {"message_id": str(uuid.uuid4()), "closure": {"outcome": "Scene cleared"}}
        closed = await police.post(f"/v1/incidents/{ref}/closure", json=closure)
        closed_again = await police.post(f"/v1/incidents/{ref}/closure", json=closure)
        assert (closed.status_code, closed_again.status_code) == (201, 200)
        same_receipt(closed.json(), closed_again.json())
        # A resend of the update after closure still answers with its receipt: it was
        # stored before, so this is a retry, not a new update on a closed incident.
        late = await police.post(f"/v1/incidents/{ref}/updates", json=update)
        assert late.status_code == 200
        same_receipt(first.json(), late.json())

        kinds = [e["kind"] for e in await unacked(fire)]
        assert kinds == ["incident.new", "incident.update", "incident.closed"]
        view = (await fire.get(f"/v1/transfers/{tid}")).json()
        assert view["updates"]["count"] == 1
        history = (await fire.get(f"/v1/transfers/{tid}/updates")).json()["updates"]
        assert [r["text"] for r in history].count("Second casualty found") == 1
        timeline = (await police.get(f"/v1/transfers/{tid}/timeline")).json()["events"]
        assert [e["kind"] for e in timeline].count("update") == 1
        assert [e["kind"] for e in timeline].count("closed") == 1


async def test_resent_cancellation_is_applied_once(hub, region):
    async with Client(hub.url, region.police.token) as police, \
            http(hub, region.fire.token) as fire:
        sent_incident = incident()
        await police.submit([region.fire.id], sent_incident)
        message_id = uuid.uuid4()
        first = await police.cancel(sent_incident["reference"], "wrong service",
                                    message_id=message_id)
        again = await police.cancel(sent_incident["reference"], "wrong service",
                                    message_id=message_id)
        assert first == again
        with pytest.raises(HubError) as fresh:  # a new message id really is a new request
            await police.cancel(sent_incident["reference"], "wrong service")
        assert fresh.value.status == 409
        kinds = [e["kind"] for e in await unacked(fire)]
        assert kinds == ["incident.new", "incident.cancelled"]


async def test_resubmission_over_the_stream_returns_the_original_receipt(hub, region):
    message_id = uuid.uuid4()
    sent_incident = incident()
    async with Client(hub.url, region.police.token) as police, police.stream() as police_io, \
            http(hub, region.fire.token) as fire:
        first = await police_io.submit([region.fire.id], sent_incident, message_id=message_id)
        again = await police_io.submit([region.fire.id], sent_incident, message_id=message_id)
        assert again == first
        # ...and HTTP agrees: one id space whatever the path.
        over_http = await police.submit([region.fire.id], sent_incident, message_id=message_id)
        assert over_http == first
        assert len(await unacked(fire)) == 1

    # The raw frames carry the HTTP status: 201 for the first, 200 for a replay.
    frame = {"op": "submit", "body": {"message_id": str(uuid.uuid4()),
                                      "recipients": [region.fire.id], "incident": incident()}}
    async with websockets.connect(
            ws_url(hub), additional_headers={"Authorization": f"Bearer {region.police.token}"},
    ) as ws:
        results = []
        for corr in ["one", "two"]:
            await ws.send(json.dumps(frame | {"corr": corr}))
            while True:
                reply = await next_frame(ws, 5)
                if reply["op"] == "result":
                    break
            assert reply["corr"] == corr
            results.append(reply)
        assert [r["status"] for r in results] == [201, 200]
        assert results[0]["body"] == results[1]["body"]
        same_receipt(results[0]["body"], results[1]["body"])

    async with http(hub, region.fire.token) as fire:
        assert len(await unacked(fire)) == 2
