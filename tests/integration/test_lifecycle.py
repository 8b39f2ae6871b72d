"""A transfer end to end through a real hub: send, push, acknowledge, decide, update,
close, cancel; the sender hears of every step and the timeline records it."""

from __future__ import annotations

import asyncio

import pytest

from bluelight.client import Client, HubError, body_of
from bluelight.hub.domain.transfer import EntryKind
from samples import incident, methane


async def next_of(stream, kind: EntryKind, timeout: float = 5.0):
    async def find():
        async for entry in stream:
            if entry.kind is kind:
                return entry

    return await asyncio.wait_for(find(), timeout)


async def test_send_deliver_accept_reject_update_close(hub, region):
    police = Client(hub.url, region.police.token)
    fire = Client(hub.url, region.fire.token)
    ambulance = Client(hub.url, region.ambulance.token)
    async with police, fire, ambulance, police.stream() as police_in, \
            fire.stream() as fire_in, ambulance.stream() as ambulance_in:
        sent = incident(type="major-incident", methane=methane())
        receipt = await police.submit([region.fire.id, region.ambulance.id], sent)
        assert receipt.status == "stored"
        assert {t.recipient for t in receipt.transfers} == {region.fire.id, region.ambulance.id}
        by_recipient = {t.recipient: t.transfer_id for t in receipt.transfers}

        offer = await next_of(fire_in, EntryKind.INCIDENT_NEW)
        body = body_of(offer)
        assert offer.transfer_id == by_recipient[region.fire.id]
        assert body.sender == region.police.id
        assert body.incident.reference == sent["reference"]
        assert body.incident.methane.major_incident_declared is True
        assert body.incident.casualties[0].count == 1
        # The hub filled in WGS84 from the grid reference it was given.
        assert body.incident.location.lat == pytest.approx(51.482, abs=0.002)

        status = await next_of(police_in, EntryKind.TRANSFER_STATUS)
        assert body_of(status).state.value == "delivered"
        assert (await police.transfer(offer.transfer_id)).state.value == "delivered"

        await fire.accept(offer.transfer_id, operator="Watch Manager Price")
        accepted = await next_of(police_in, EntryKind.TRANSFER_STATUS)
        assert body_of(accepted).state.value == "accepted"
        assert body_of(accepted).recipient == region.fire.id

        amb_offer = await next_of(ambulance_in, EntryKind.INCIDENT_NEW)
        with pytest.raises(HubError) as no_reason:
            await ambulance.decide(amb_offer.transfer_id, "rejected")
        assert no_reason.value.status == 422 and "reason" in no_reason.value.fields
        await ambulance.reject(amb_offer.transfer_id, "No resources: all crews committed")
        statuses = [body_of(await next_of(police_in, EntryKind.TRANSFER_STATUS))
                    for _ in range(2)]
        rejected = [s for s in statuses if s.state.value == "rejected"][0]
        assert rejected.reason == "No resources: all crews committed"

        with pytest.raises(HubError) as again:
            await fire.reject(offer.transfer_id, "changed my mind")
        assert again.value.status == 409

        await police.update(sent["reference"], {"text": "Second casualty now trapped",
                                                 "priority": "emergency"})
        update = await next_of(fire_in, EntryKind.INCIDENT_UPDATE)
        assert body_of(update).update.text == "Second casualty now trapped"
        assert body_of(update).version == 1
        # The text is the update's own record, not appended to the notes.
        assert body_of(update).incident.notes == sent["notes"]
        history = await fire.updates(offer.transfer_id)
        assert [(r.version, r.by, r.text) for r in history.updates] == [
            (1, region.police.id, "Second casualty now trapped")]

        await police.close_incident(sent["reference"], "Scene cleared, road reopened")
        closed = await next_of(fire_in, EntryKind.INCIDENT_CLOSED)
        assert body_of(closed).outcome == "Scene cleared, road reopened"
        await asyncio.sleep(0.2)  # let the stream's ack of the closure land

        view = await police.transfer(offer.transfer_id)
        assert view.incident_status.value == "closed"
        assert view.submitted_at <= view.stored_at <= view.delivered_at <= view.decided_at

        timeline = await fire.timeline(offer.transfer_id)
        kinds = [e.kind for e in timeline.events]
        for expected in ["submitted", "stored", "delivered", "accepted", "update",
                         "update-delivered", "closed", "closed-delivered"]:
            assert expected in kinds, (expected, kinds)
        # The fire service's timeline does not show the ambulance's rejection.
        assert "rejected" not in kinds


async def test_cancel_sent_in_error(hub, region):
    async with Client(hub.url, region.police.token) as police, \
            Client(hub.url, region.fire.token) as fire, fire.stream() as fire_in:
        sent = incident()
        receipt = await police.submit([region.fire.id], sent)
        await next_of(fire_in, EntryKind.INCIDENT_NEW)
        await police.cancel(sent["reference"], "Sent to the wrong service")
        cancelled = await next_of(fire_in, EntryKind.INCIDENT_CANCELLED)
        assert body_of(cancelled).reason == "Sent to the wrong service"
        tid = receipt.transfers[0].transfer_id
        assert (await fire.transfer(tid)).state.value == "cancelled"
        with pytest.raises(HubError) as late:
            await fire.accept(tid)
        assert late.value.status == 409
        with pytest.raises(HubError) as closed:
            await police.update(sent["reference"], {"text": "more"})
        assert closed.value.status == 409


async def test_poll_over_http_and_acknowledge(hub, region):
    async with Client(hub.url, region.police.token) as police, \
            Client(hub.url, region.fire.token) as fire:
        receipt = await police.submit([region.fire.id], incident())
        inbox = await fire.inbox()
        assert [e.transfer_id for e in inbox.entries] == [receipt.transfers[0].transfer_id]
        # Not yet acknowledged: polling again shows it again.
        assert (await fire.inbox(after=inbox.next_after)).entries[0].seq == inbox.entries[0].seq
        assert await fire.acknowledge([inbox.entries[0].seq]) == 1
        assert await fire.acknowledge([inbox.entries[0].seq]) == 0  # repeat is harmless
        assert (await fire.inbox(after=inbox.next_after)).entries == []
        assert (await police.transfer(receipt.transfers[0].transfer_id)).state.value == "delivered"


async def test_submit_over_the_stream(hub, region):
    async with Client(hub.url, region.police.token) as police, police.stream() as police_io, \
            Client(hub.url, region.fire.token) as fire, fire.stream() as fire_in:
        receipt = await police_io.submit([region.fire.id], incident())
        assert receipt.status == "stored"
        offer = await next_of(fire_in, EntryKind.INCIDENT_NEW)
        view = await fire_in.decide(offer.transfer_id, "accepted")
        assert view.state.value == "accepted"
        with pytest.raises(HubError) as bad:
            await police_io.submit(["uk.fire.nowhere"], incident())
        assert bad.value.status == 422
