"""The SDK's own failover (issue 12): a client given the region's nodes as `endpoints`
skips one that refuses connections, and its stream, when its node dies, reconnects to
the next and resumes after the last seq it had: no gap, no repeat.

The hubs start on copies of one database (same agencies, same tokens) and keep their own
after that. The sender submits each message to every live hub with one message_id, so
the recipient's entries have the same seqs on each, as a shared store would give."""

from __future__ import annotations

import asyncio
import time

import pytest

from bluelight.client import Client, body_of
from bluelight.kernel.loopback import free_port
from samples import incident
from twins import start_twins

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

WAIT = 10.0  # only ever a bound on waiting for something to arrive


async def _quiet(stream, seconds: float = 0.3) -> None:
    """Nothing more arrives (a repeat would have by now)."""
    with pytest.raises(TimeoutError):
        entry = await asyncio.wait_for(anext(stream), seconds)
        pytest.fail(f"unexpected entry {entry}")


async def test_a_closed_endpoint_is_skipped_for_submits_and_the_stream(tmp_path):
    twins = start_twins(tmp_path, count=1)
    try:
        hub = twins.hubs[0]
        closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
        async with Client(endpoints=[closed, hub.url], token=twins.police[1]) as police, \
                Client(endpoints=[closed, hub.url], token=twins.fire[1]) as fire, \
                fire.stream() as stream:
            sent = incident()
            receipt = await asyncio.wait_for(police.submit([twins.fire[0]], sent), WAIT)
            assert receipt.transfers[0].recipient == twins.fire[0]
            assert police.base_url == hub.url  # it stays on the endpoint that answered
            entry = await asyncio.wait_for(anext(stream), WAIT)
            assert body_of(entry).incident.reference == sent["reference"]
            assert fire.base_url == hub.url and stream.reconnects == 1
            # Reads fail over too, and a later call starts where the last one succeeded.
            assert {a.id for a in await fire.agencies()} >= {twins.police[0], twins.fire[0]}
    finally:
        twins.stop()


async def test_a_stream_resumes_on_the_next_node_when_its_node_is_killed(tmp_path):
    twins = start_twins(tmp_path, count=2)
    try:
        a, b = twins.hubs
        async with Client(endpoints=[a.url, b.url], token=twins.fire[1]) as fire, \
                Client(endpoints=[a.url, b.url], token=twins.police[1]) as police, \
                fire.stream() as stream:
            await stream.wait_live()
            before = [incident() for _ in range(3)]
            for sent in before:
                assert twins.mirror(sent) == [201, 201]
            got = [await asyncio.wait_for(anext(stream), WAIT) for _ in before]
            assert [body_of(e).incident.reference for e in got] == [
                s["reference"] for s in before]
            assert fire.base_url == a.url and stream.reconnects == 0

            a.kill()  # SIGKILL, mid-stream
            killed = time.monotonic()
            after = [incident() for _ in range(2)]
            for sent in after:
                assert twins.mirror(sent) == [201]  # only b is left
            # Through the client's endpoints as well: its first try (a) is refused.
            last = incident()
            receipt = await asyncio.wait_for(police.submit([twins.fire[0]], last), WAIT)
            assert receipt.transfers[0].state.value == "stored"
            assert police.base_url == b.url

            resumed = [await asyncio.wait_for(anext(stream), WAIT) for _ in range(3)]
            failover_s = time.monotonic() - killed
            assert [body_of(e).incident.reference for e in resumed] == [
                s["reference"] for s in [*after, last]]
            # Resumed after the last seq it had: the next seqs, nothing replayed twice.
            assert [e.seq for e in resumed] == [got[-1].seq + i for i in (1, 2, 3)]
            await _quiet(stream)
            assert fire.base_url == b.url and stream.reconnects >= 1
            assert failover_s < 5.0  # the bound on client failover
    finally:
        twins.stop()
