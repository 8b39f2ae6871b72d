"""The stream's bounded parts on their own: the outbox and how it cuts frames, the
in-flight budget, the batch limit, the live queue's limits, and the SDK's batching."""

from __future__ import annotations

import asyncio
import json

import msgspec
import pytest

from bluelight.client._stream import _ACK_CHUNK, _MAX_BATCH, _MAX_MESSAGE, _messages
from bluelight.hub.adapters.delivery.inprocess import Subscription
from bluelight.hub.domain.transfer import SEQ_MAX, Entry, EntryKind
from bluelight.hub.entrypoints.stream import _after
from bluelight.hub.entrypoints.stream_commands import MAX_BATCH, InFlight, split
from bluelight.hub.entrypoints.stream_writer import FRAME_BYTES, Outbox, entries_frames
from bluelight.kernel.problems import ProblemError


def entry(seq: int, body_bytes: int = 100) -> Entry:
    body = json.dumps({"text": "x" * body_bytes}).encode()
    return Entry(agency="uk.fire.t", seq=seq, id=f"uk.fire.t/{seq}",
                 kind=EntryKind.TRANSFER_STATUS, at=1.0, incident_id="inc_1",
                 body=msgspec.Raw(body))


class _Frame(msgspec.Struct, tag_field="op", tag="entries"):
    entries: list[Entry]


def test_entries_frames_are_what_msgspec_writes_cut_by_size():
    few = [entry(i) for i in range(1, 4)]
    encode = msgspec.json.encode
    assert entries_frames([encode(e) for e in few]) == [encode(_Frame(few))]

    many = [entry(i, 3000) for i in range(1, 200)]
    frames = entries_frames([encode(e) for e in many])
    assert len(frames) > 1
    assert all(len(f) <= FRAME_BYTES for f in frames)
    decoded = [e for f in frames for e in msgspec.json.decode(f, type=_Frame).entries]
    assert decoded == many  # every entry once, in order

    (alone,) = entries_frames([encode(entry(1, FRAME_BYTES * 2))])  # too big: alone
    assert msgspec.json.decode(alone, type=_Frame).entries == [entry(1, FRAME_BYTES * 2)]


async def test_the_outbox_counts_bytes_and_makes_producers_wait():
    outbox = Outbox()
    for i in range(10):
        outbox.put(b'{"n":%d}' % i)
    assert outbox.size == 10 * 7
    first = outbox.take(20)  # two frames fit in 20 bytes, as an array
    assert json.loads(first) == [{"n": 0}, {"n": 1}]
    assert outbox.size == 8 * 7

    waiting = asyncio.create_task(outbox.below(7))
    await asyncio.sleep(0)
    assert not waiting.done()
    while outbox.size > 7:
        outbox.take(7)
        await asyncio.sleep(0)
    await asyncio.wait_for(waiting, 1)

    outbox.put(b"x" * 100)
    stuck = asyncio.create_task(outbox.below(0))
    await asyncio.sleep(0)
    outbox.close()  # the connection is over: nobody waits for room any more
    await asyncio.wait_for(stuck, 1)
    outbox.put(b"late")
    assert outbox.size == 0 and outbox.take(100) is None


async def test_in_flight_is_bounded_by_count_and_by_bytes():
    running = InFlight(most=2, most_bytes=100)
    await running.enter(10)
    await running.enter(10)
    third = asyncio.create_task(running.enter(10))
    await asyncio.sleep(0)
    assert not third.done()  # two is the most
    running.leave(10)
    await asyncio.wait_for(third, 1)

    running.leave(10)
    running.leave(10)
    await running.enter(60)
    big = asyncio.create_task(running.enter(60))
    await asyncio.sleep(0)
    assert not big.done()  # 120 bytes would be over the budget
    running.leave(60)
    await asyncio.wait_for(big, 1)  # alone, however large
    assert (running.count, running.size) == (1, 60)


def test_an_array_holds_at_most_max_batch_commands():
    ack = b'{"op":"ack","seqs":[1]}'
    assert split(ack) == [ack]
    assert split(b"[" + b",".join([ack] * MAX_BATCH) + b"]") == [ack] * MAX_BATCH
    with pytest.raises(ProblemError) as refused:
        split(b"[" + b",".join([ack] * (MAX_BATCH + 1)) + b"]")
    assert refused.value.status == 413
    assert refused.value.faults[0].field == "(body)"
    with pytest.raises(ProblemError) as deep:
        split(b"[" * 100_000 + b"]" * 100_000)
    assert (deep.value.status, deep.value.faults[0].fault) == (400, "nested too deeply")


@pytest.mark.parametrize("raw", ["-1", "1.0", "²", "１２", " 1", "0x10", str(SEQ_MAX + 1),
                                 "9" * 5000, ""])
def test_after_must_be_a_seq(raw):
    with pytest.raises(ProblemError) as refused:
        _after(raw)
    assert (refused.value.status, refused.value.faults[0].field) == (422, "query.after")


def test_after_takes_any_seq():
    assert [_after(r) for r in (None, "0", "17", str(SEQ_MAX))] == [None, 0, 17, SEQ_MAX]


async def test_the_live_queue_overflows_by_count_or_by_bytes():
    by_count = Subscription("uk.fire.t", limit=3, limit_bytes=10**9)
    for seq in range(1, 5):
        by_count.offer(entry(seq))
    assert by_count.overflowed
    assert [e.seq for e in await by_count.next_batch(2)] == [1, 2]
    assert [e.seq for e in await by_count.next_batch(2)] == [3]

    by_bytes = Subscription("uk.fire.t", limit=1000, limit_bytes=250)
    by_bytes.offer(entry(1))
    by_bytes.offer(entry(2))
    assert not by_bytes.overflowed and by_bytes.size == 2 * len(entry(1).body)
    by_bytes.offer(entry(3))
    assert by_bytes.overflowed
    await by_bytes.next_batch()
    assert by_bytes.size == 0


def test_the_sdk_batches_within_the_hubs_limits():
    frames = [json.dumps({"op": "ack", "corr": str(i), "seqs": [i]}) for i in range(250)]
    messages = _messages(frames)
    unpacked = [f for m in messages for f in (json.loads(m) if m[0] == "[" else [json.loads(m)])]
    assert unpacked == [json.loads(f) for f in frames]  # all of them, in order
    assert all(len(json.loads(m)) <= _MAX_BATCH for m in messages if m[0] == "[")

    large = ["x" * 30_000] * 5
    assert all(len(m) <= _MAX_MESSAGE for m in _messages([json.dumps(f) for f in large]))
    assert _ACK_CHUNK <= 10_000  # what one ack command may hold
