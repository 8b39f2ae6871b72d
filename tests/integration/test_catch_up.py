"""The mailbox survives disconnects, lost acks and a hub that is SIGKILLed: a client that
comes back with `after` gets exactly what it missed, in order, and nothing twice."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from bluelight.client import Client
from bluelight.hub.domain.transfer import Entry, EntryKind
from frames import next_frame, pending, unpack
from hubprocess import HubProcess, unique
from samples import incident

WAIT = 10.0  # generous: only ever a bound on waiting for something to arrive


def connect(hub, token: str, after: int | None = None):
    url = hub.url.replace("http://", "ws://") + "/v1/stream"
    if after is not None:
        url += f"?after={after}"
    return websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"})


async def catch_up(ws) -> tuple[list[dict], int]:
    """Frames up to the live marker: the entries replayed, and the live frame's `after`."""
    entries = []
    while True:
        frame = await next_frame(ws, WAIT)
        if frame["op"] == "live":
            return entries, frame["after"]
        assert frame["op"] == "entries", frame
        entries.extend(frame["entries"])


async def receive(ws, count: int) -> list[dict]:
    """The next `count` live entries."""
    entries = []
    while len(entries) < count:
        frame = await next_frame(ws, WAIT)
        assert frame["op"] == "entries", frame
        entries.extend(frame["entries"])
    assert len(entries) == count
    return entries


async def ack(ws, seqs: list[int]) -> int:
    """Acknowledge and wait for the hub to confirm it committed the ack."""
    corr = unique("ack")
    await ws.send(json.dumps({"op": "ack", "seqs": seqs, "corr": corr}))
    while True:
        frame = await next_frame(ws, WAIT)
        if frame["op"] == "result" and frame["corr"] == corr:
            assert frame["status"] == 200, frame
            return frame["body"]["acknowledged"]


async def nothing_more(ws, seconds: float = 0.3) -> None:
    assert pending(ws) == []
    with pytest.raises(TimeoutError):
        frame = await asyncio.wait_for(ws.recv(), seconds)
        pytest.fail(f"unexpected frame {frame}")


async def quiet(stream, seconds: float = 0.3) -> None:
    """Nothing more arrives on an SDK stream (a late repeat would have by now)."""
    with pytest.raises(TimeoutError):
        entry = await asyncio.wait_for(anext(stream), seconds)
        pytest.fail(f"unexpected entry {entry}")


def contiguous(seqs: list[int]) -> bool:
    return seqs == list(range(seqs[0], seqs[0] + len(seqs)))


async def test_reconnect_with_after_gets_exactly_what_was_missed(hub, region):
    async with Client(hub.url, region.police.token) as police:
        first = [await police.submit([region.fire.id], incident()) for _ in range(3)]

        async with connect(hub, region.fire.token) as ws:
            seen, live_after = await catch_up(ws)
            assert [e["transfer_id"] for e in seen] == [r.transfers[0].transfer_id
                                                        for r in first]
            assert contiguous([e["seq"] for e in seen])
            assert live_after == seen[-1]["seq"]
            assert await ack(ws, [e["seq"] for e in seen]) == 3
            last = seen[-1]["seq"]

        missed = [await police.submit([region.fire.id], incident()) for _ in range(5)]

        async with connect(hub, region.fire.token, after=last) as ws:
            replay, live_after = await catch_up(ws)
            seqs = [e["seq"] for e in replay]
            assert seqs == list(range(last + 1, last + 6))  # in order, no gaps, no repeats
            assert [e["transfer_id"] for e in replay] == [r.transfers[0].transfer_id
                                                          for r in missed]
            assert {e["kind"] for e in replay} == {EntryKind.INCIDENT_NEW.value}
            assert live_after == seqs[-1]
            # Live from here: the next one is pushed, not replayed.
            pushed = await police.submit([region.fire.id], incident())
            (entry,) = await receive(ws, 1)
            assert entry["seq"] == live_after + 1
            assert entry["transfer_id"] == pushed.transfers[0].transfer_id
            await nothing_more(ws)


async def test_unacknowledged_entry_is_replayed_until_acked(hub, region):
    async with Client(hub.url, region.police.token) as police:
        async with connect(hub, region.fire.token) as ws:
            _, live_after = await catch_up(ws)
            receipt = await police.submit([region.fire.id], incident())
            (entry,) = await receive(ws, 1)
            n = entry["seq"]
            assert n == live_after + 1
            # Dropped without acking: as if the ack was lost on the way.

        async with connect(hub, region.fire.token, after=n) as ws:
            replay, live_after = await catch_up(ws)
            # Not "after n", yet replayed: the hub never heard the ack.
            assert [e["seq"] for e in replay] == [n]
            assert replay[0]["id"] == entry["id"]  # the same entry, recognisably
            assert replay[0]["transfer_id"] == receipt.transfers[0].transfer_id
            assert live_after == n
            assert await ack(ws, [n]) == 1
            assert await ack(ws, [n]) == 0  # a repeat is harmless

        async with connect(hub, region.fire.token, after=n) as ws:
            replay, live_after = await catch_up(ws)
            assert replay == []
            assert live_after == n
            await nothing_more(ws)

        # The sender heard of the delivery exactly when the ack landed.
        view = await police.transfer(receipt.transfers[0].transfer_id)
        assert view.state.value == "delivered"


async def test_replay_puts_old_unacked_entries_before_new_ones(hub, region):
    async with Client(hub.url, region.police.token) as police:
        async with connect(hub, region.fire.token) as ws:
            await catch_up(ws)
            for _ in range(3):
                await police.submit([region.fire.id], incident())
            seen = await receive(ws, 3)
            seqs = [e["seq"] for e in seen]
            assert await ack(ws, [seqs[0], seqs[2]]) == 2  # the middle ack is "lost"
        later = await police.submit([region.fire.id], incident())
        async with connect(hub, region.fire.token, after=seqs[-1]) as ws:
            replay, _ = await catch_up(ws)
            assert [e["seq"] for e in replay] == [seqs[1], seqs[-1] + 1]
            assert replay[1]["transfer_id"] == later.transfers[0].transfer_id


async def test_sdk_stream_sees_each_entry_once_across_a_dropped_connection(hub, region):
    async with Client(hub.url, region.police.token) as police, \
            Client(hub.url, region.fire.token) as fire, fire.stream() as fire_in:
        await fire_in.wait_live()
        sent = [(await police.submit([region.fire.id], incident())).transfers[0].transfer_id
                for _ in range(4)]
        seen: list[Entry] = []
        async with asyncio.timeout(WAIT):
            while len(seen) < 2:
                seen.append(await anext(fire_in))
        # Watch the raw frames, to be sure the hub really does replay something.
        repeats: list[int] = []
        on_frame = fire_in._on_frame

        async def spy(raw):
            for frame in unpack(raw):
                if frame["op"] == "entries":
                    repeats.extend(e["seq"] for e in frame["entries"]
                                   if e["seq"] <= fire_in.last_seq)
            await on_frame(raw)

        fire_in._on_frame = spy
        # Drop the socket under it, before the auto-ack of what it just took can go out:
        # the hub will replay that (unacked) and the stream must drop the repeats.
        fire_in._ws.transport.close()
        reconnects = fire_in.reconnects
        sent += [(await police.submit([region.fire.id], incident())).transfers[0].transfer_id
                 for _ in range(4)]
        async with asyncio.timeout(WAIT):
            while len(seen) < len(sent):
                seen.append(await anext(fire_in))
        assert fire_in.reconnects > reconnects
        assert seen[1].seq in repeats  # replayed by the hub, not shown twice
        await fire_in.wait_live()
        await quiet(fire_in)

        assert [e.transfer_id for e in seen] == sent  # every incident, once, in order
        seqs = [e.seq for e in seen]
        assert seqs == sorted(set(seqs)) and contiguous(seqs)

    # Every one of them ended up acknowledged (auto-ack survived the reconnect).
    async with Client(hub.url, region.fire.token) as fire:
        for _ in range(50):
            if not (await fire.inbox()).entries:
                break
            await asyncio.sleep(0.1)
        assert (await fire.inbox()).entries == []


@pytest.fixture
def own_hub(tmp_path):
    process = HubProcess(tmp_path).start()
    yield process
    process.stop()


def register(hub: HubProcess) -> tuple[str, str, str, str]:
    area = unique("area")
    police, fire = f"uk.police.{area}", f"uk.fire.{area}"
    return (police, hub.add_agency(police, "police"), fire, hub.add_agency(fire, "fire"))


async def test_sdk_stream_resumes_across_a_hub_restart(own_hub):
    police_id, police_token, fire_id, fire_token = register(own_hub)
    async with Client(own_hub.url, police_token) as police, \
            Client(own_hub.url, fire_token) as fire, fire.stream() as fire_in:
        await fire_in.wait_live()
        sent = [(await police.submit([fire_id], incident())).transfers[0].transfer_id
                for _ in range(3)]
        seen: list[Entry] = []
        async with asyncio.timeout(WAIT):
            while len(seen) < 3:
                seen.append(await anext(fire_in))
        own_hub.kill()
        own_hub.start()  # same data dir, same port
        sent += [(await police.submit([fire_id], incident())).transfers[0].transfer_id
                 for _ in range(3)]
        async with asyncio.timeout(WAIT):
            while len(seen) < len(sent):
                seen.append(await anext(fire_in))
        await fire_in.wait_live()
        await quiet(fire_in)
        assert fire_in.reconnects >= 1
        assert [e.transfer_id for e in seen] == sent
        assert contiguous([e.seq for e in seen])


async def test_stored_means_stored_through_sigkill(own_hub):
    n = 50
    police_id, police_token, fire_id, fire_token = register(own_hub)
    async with Client(own_hub.url, police_token) as police:
        receipts = await asyncio.gather(*(police.submit([fire_id], incident())
                                          for _ in range(n)))
    assert {r.status for r in receipts} == {"stored"}
    stored = {r.transfers[0].transfer_id for r in receipts}
    assert len(stored) == n

    own_hub.kill()  # no recipient has connected; nothing was flushed on the way out
    own_hub.start()

    async with Client(own_hub.url, fire_token) as fire, fire.stream() as fire_in:
        await fire_in.wait_live()
        got: list[Entry] = []
        async with asyncio.timeout(WAIT):
            while len(got) < n:
                got.append(await anext(fire_in))
        await quiet(fire_in)  # nothing beyond the n
    ids = [e.transfer_id for e in got]
    assert len(ids) == n and set(ids) == stored
    assert {e.kind for e in got} == {EntryKind.INCIDENT_NEW}
    assert len({e.id for e in got}) == n


async def test_polling_sees_what_the_stream_shows(hub, region):
    async with Client(hub.url, region.police.token) as police, \
            Client(hub.url, region.fire.token) as fire:
        receipt = await police.submit([region.fire.id, region.ambulance.id], incident())
        await police.update(receipt.reference, {"text": "Road now closed both ways"})
        await police.submit([region.fire.id], incident())

        async with fire.stream(auto_ack=False) as fire_in:
            await fire_in.wait_live()
            streamed: list[Entry] = []
            async with asyncio.timeout(WAIT):
                while len(streamed) < 3:
                    streamed.append(await anext(fire_in))

        polled = await fire.inbox()
        assert polled.entries == streamed  # same seq, id, kind, at, body: byte for byte
        assert polled.next_after == streamed[-1].seq
        assert [e.kind for e in polled.entries] == [
            EntryKind.INCIDENT_NEW, EntryKind.INCIDENT_UPDATE, EntryKind.INCIDENT_NEW]

        # Polling from a cursor sees the same slice the stream replays from it.
        async with fire.stream(after=streamed[0].seq, auto_ack=False) as fire_in:
            async with asyncio.timeout(WAIT):
                again = [await anext(fire_in) for _ in streamed[1:]]
            await quiet(fire_in)
        assert again == streamed[1:]
        assert (await fire.inbox(after=streamed[0].seq)).entries == streamed

        # After acking over HTTP, neither shows them.
        assert await fire.acknowledge([e.seq for e in streamed]) == 3
        assert (await fire.inbox()).entries == []
        async with fire.stream(after=streamed[-1].seq) as fire_in:
            await fire_in.wait_live()
            await quiet(fire_in)
