"""The overdue alarm: when a partner does not acknowledge or decide in time, the sender is
told to phone them, with the number, once per missed deadline."""

from __future__ import annotations

import asyncio
import contextlib

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bluelight.client import Client, body_of
from bluelight.hub.domain.transfer import Entry, EntryKind
from hubprocess import unique
from samples import incident

DEADLINE = 0.3  # the test hubs check every 0.05 s
WAIT = 10.0  # generous bound on waiting for something to arrive
QUIET = 1.0  # how long "nothing more happens" is watched for
PHONE = "01443 232000"


def slow_partner(hub, service: str = "fire") -> tuple[str, str, str]:
    """A recipient with short deadlines: (id, name, token)."""
    area = unique("slow")
    agency_id = f"uk.{service}.{area}"
    name = f"{area.title()} {service.title()} Control"
    token = hub.add_agency(agency_id, service, phone=PHONE, name=name,
                           ack_deadline_s=DEADLINE, decision_deadline_s=DEADLINE)
    return agency_id, name, token


async def next_of(stream, kind: EntryKind, timeout: float = WAIT) -> Entry:
    async def find():
        async for entry in stream:
            if entry.kind is kind:
                return entry

    return await asyncio.wait_for(find(), timeout)


async def drain(stream, seconds: float = QUIET) -> list[Entry]:
    """Whatever arrives in the next `seconds`."""
    got: list[Entry] = []

    async def collect():
        async for entry in stream:
            got.append(entry)

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(collect(), seconds)
    return got


async def test_unacknowledged_transfer_tells_the_sender_to_phone_once(hub, region):
    fire_id, fire_name, _ = slow_partner(hub)
    async with Client(hub.url, region.police.token) as police, police.stream() as police_in:
        sent = incident()
        receipt = await police.submit([fire_id], sent)
        tid = receipt.transfers[0].transfer_id

        alarm = await next_of(police_in, EntryKind.TRANSFER_OVERDUE)
        assert alarm.transfer_id == tid
        body = body_of(alarm)
        assert body.stage.value == "acknowledgement"
        assert body.recipient == fire_id
        assert body.recipient_name == fire_name
        assert body.phone == PHONE  # exactly as registered, spaces and all
        assert body.reference == sent["reference"]
        assert "PHONE" in body.message and PHONE in body.message
        assert fire_name in body.message
        assert body.waited_s >= DEADLINE - 0.05

        view = await police.transfer(tid)
        assert view.state.value == "stored"
        assert view.ack_overdue_at is not None
        assert view.ack_overdue_at >= view.ack_due_at
        assert view.ack_due_at == view.stored_at + DEADLINE
        assert view.decision_overdue_at is None

        # Once only: the alarm is not repeated while the partner stays silent.
        later = await drain(police_in)
        assert [e for e in later if e.kind is EntryKind.TRANSFER_OVERDUE] == []
        timeline = await police.timeline(tid)
        assert [e.kind for e in timeline.events].count("overdue") == 1


async def test_acknowledged_but_undecided_transfer_raises_the_decision_alarm(hub, region):
    fire_id, fire_name, fire_token = slow_partner(hub)
    async with Client(hub.url, region.police.token) as police, police.stream() as police_in, \
            Client(hub.url, fire_token) as fire, fire.stream() as fire_in:
        await fire_in.wait_live()
        receipt = await police.submit([fire_id], incident())
        tid = receipt.transfers[0].transfer_id
        await next_of(fire_in, EntryKind.INCIDENT_NEW)  # auto-acked: delivered
        delivered = await next_of(police_in, EntryKind.TRANSFER_STATUS)
        assert body_of(delivered).state.value == "delivered"

        alarm = await next_of(police_in, EntryKind.TRANSFER_OVERDUE)
        body = body_of(alarm)
        assert alarm.transfer_id == tid
        assert body.stage.value == "decision"
        assert body.phone == PHONE and body.recipient_name == fire_name
        assert "accepted or rejected" in body.message and PHONE in body.message

        view = await police.transfer(tid)
        assert view.state.value == "delivered"
        assert view.ack_overdue_at is None  # it was acknowledged in time
        assert view.decision_overdue_at is not None
        assert view.decision_due_at == view.delivered_at + DEADLINE

        later = await drain(police_in)
        assert [e for e in later if e.kind is EntryKind.TRANSFER_OVERDUE] == []

        # A late decision is still taken, and raises no further alarm.
        await fire.accept(tid)
        accepted = await next_of(police_in, EntryKind.TRANSFER_STATUS)
        assert body_of(accepted).state.value == "accepted"


async def test_transfer_answered_in_time_raises_no_alarm(hub, region):
    fire_id, _, fire_token = slow_partner(hub)
    async with Client(hub.url, region.police.token) as police, police.stream() as police_in, \
            Client(hub.url, fire_token) as fire, fire.stream() as fire_in:
        await fire_in.wait_live()
        receipt = await police.submit([fire_id], incident())
        offer = await next_of(fire_in, EntryKind.INCIDENT_NEW)
        await fire_in.decide(offer.transfer_id, "accepted")

        got = await drain(police_in, DEADLINE + QUIET)
        assert [body_of(e).state.value for e in got if e.kind is EntryKind.TRANSFER_STATUS] \
            == ["delivered", "accepted"]
        assert [e for e in got if e.kind is EntryKind.TRANSFER_OVERDUE] == []
        view = await police.transfer(receipt.transfers[0].transfer_id)
        assert view.ack_overdue_at is None and view.decision_overdue_at is None
        kinds = [e.kind for e in (await police.timeline(view.transfer_id)).events]
        assert "overdue" not in kinds


async def test_default_deadline_does_not_fire_early(hub, region):
    # region.fire has no deadline of its own: the hub's default (30 s) applies.
    async with Client(hub.url, region.police.token) as police, police.stream() as police_in:
        receipt = await police.submit([region.fire.id], incident())
        got = await drain(police_in, QUIET)
        assert [e for e in got if e.kind is EntryKind.TRANSFER_OVERDUE] == []
        view = await police.transfer(receipt.transfers[0].transfer_id)
        assert view.ack_due_at - view.stored_at == 30.0
        assert view.ack_overdue_at is None


def samples(text: str, name: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples
            if s.name == name]


async def test_alarm_is_counted_and_on_the_timeline(hub, region):
    fire_id, _, _ = slow_partner(hub)
    ambulance_id, _, _ = slow_partner(hub, "ambulance")
    async with Client(hub.url, region.police.token) as police, police.stream() as police_in:
        receipt = await police.submit([fire_id, ambulance_id], incident())
        alarms = [await next_of(police_in, EntryKind.TRANSFER_OVERDUE) for _ in range(2)]
        assert {a.transfer_id for a in alarms} == {t.transfer_id for t in receipt.transfers}

        async with httpx.AsyncClient() as http:
            text = (await http.get(f"{hub.url}/metrics")).text
        counted = {(s.labels["recipient"], s.labels["stage"]): s.value
                   for s in samples(text, "bluelight_overdue_total")
                   if s.labels["sender"] == region.police.id}
        assert counted == {(fire_id, "acknowledgement"): 1.0,
                           (ambulance_id, "acknowledgement"): 1.0}

        for transfer in receipt.transfers:
            events = (await police.timeline(transfer.transfer_id)).events
            overdue = [e for e in events if e.kind == "overdue"]
            assert len(overdue) == 1
            assert overdue[0].actor == "hub"
            assert overdue[0].transfer_id == transfer.transfer_id
            assert overdue[0].detail["stage"] == "acknowledgement"
            assert overdue[0].detail["phone"] == PHONE

        stats = await police.stats()
        pairs = {(p.sender, p.recipient): p for p in stats.pairs}
        assert pairs[(region.police.id, fire_id)].overdue == 1
