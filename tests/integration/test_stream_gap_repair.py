"""A stream session repairs what cross-node delivery gets wrong (decision 0026): an entry
that comes after a later one, or never (its node died between COMMIT and publishing), is
read from the store, so the client still gets every entry once, in seq order.

The hub is real (the composition root's SQLite store, the hub's use cases, the stream
endpoint served by uvicorn on a real WebSocket); only the delivery port is a double: the
in-process adapter behind a filter that delivers chosen entries late or not at all, as
JetStream between nodes can."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import Sequence

import msgspec
import pytest
import uvicorn
import websockets
from starlette.applications import Starlette

from bluelight.bootstrap import build
from bluelight.hub.adapters.delivery.inprocess import InProcessDelivery
from bluelight.hub.adapters.storage.sqlite_store import transaction
from bluelight.hub.domain.agency import Agency, Service
from bluelight.hub.domain.commands import SubmitIncident
from bluelight.hub.domain.transfer import Entry, EntryKind
from bluelight.hub.entrypoints.gate import HubGate
from bluelight.hub.entrypoints.stream import PAGE, Streams
from bluelight.hub.services import directory
from bluelight.hub.services.hub import Hub
from bluelight.kernel.loopback import free_port
from bluelight.kernel.settings import Settings
from frames import next_frame
from samples import incident as incident_dict

SENDER, RECIPIENT = "uk.police.gap", "uk.fire.gap"
WAIT = 10.0  # generous: only ever a bound on waiting for something to arrive
NEVER = 3600.0  # a sweep interval no test lives to see


class UnreliableDelivery:
    """Entries of other nodes as they may reach this one: the seqs in `late` come after
    the next entry, those in `lost` never."""

    def __init__(self, cross_node: bool = True) -> None:
        self.cross_node = cross_node
        self.local = InProcessDelivery()
        self.late: set[int] = set()
        self.lost: set[int] = set()
        self._held: list[Entry] = []

    def publish(self, entries: Sequence[Entry]) -> None:
        out: list[Entry] = []
        for entry in entries:
            if entry.seq in self.lost:
                continue
            if entry.seq in self.late:
                self._held.append(entry)
                continue
            out.append(entry)
            out.extend(self._held)
            self._held.clear()
        self.local.publish(out)

    def subscribe(self, agency: str):
        return self.local.subscribe(agency)

    def unsubscribe(self, sub) -> None:
        self.local.unsubscribe(sub)

    def connected(self, agency: str) -> int:
        return self.local.connected(agency)


class Node:
    """One hub node serving the stream, and what it read from the store for sessions."""

    def __init__(self, hub: Hub, url: str, token: str) -> None:
        self.hub, self.url, self.token = hub, url, token
        self.reads = 0  # Hub.entries calls: the sessions' gap fills and sweeps
        entries = hub.entries

        async def counted(agency: str, after: int, limit: int) -> list[Entry]:
            self.reads += 1
            return await entries(agency, after, limit)

        hub.entries = counted

    def connect(self):
        return websockets.connect(self.url, additional_headers={
            "Authorization": f"Bearer {self.token}"})

    async def submit(self, n: int = 1) -> list[str]:
        """Incidents from the sender to the recipient; their transfer ids."""
        ids = []
        for _ in range(n):
            body = msgspec.convert({"message_id": str(uuid.uuid4()), "recipients": [RECIPIENT],
                                    "incident": incident_dict()}, SubmitIncident)
            receipt, created = await self.hub.submit_incident(SENDER, body)
            assert created
            ids.append(receipt.transfers[0].transfer_id)
        return ids

    async def append(self, n: int) -> None:
        """`n` entries for the recipient in one commit (quicker than n incidents)."""
        def job(repo):
            return [repo.append(RECIPIENT, EntryKind.INCIDENT_UPDATE, "inc_gap", None,
                                json.dumps({"n": i}).encode(), time.time()) for i in range(n)]

        await self.hub.store.write(job, publish=self.hub.publish)


@pytest.fixture
async def start_node(tmp_path):
    """Starts hub nodes on one store (as nodes of a region share PostgreSQL), each with
    its own delivery and sweep interval."""
    runtime = build(Settings(data_dir=str(tmp_path)))
    tokens = {}
    for agency_id, service in ((SENDER, Service.POLICE), (RECIPIENT, Service.FIRE)):
        token, job = directory.register(Agency(id=agency_id, name=agency_id, service=service,
                                               phone="01234 567890"), time.time(), "test")
        transaction(runtime.settings.db, job)
        tokens[agency_id] = token
    runtime.store.start()
    servers: list[tuple[uvicorn.Server, asyncio.Task]] = []

    async def start(delivery, sweep_s: float) -> Node:
        base = runtime.hub
        hub = Hub(runtime.store, base.gazetteer, base.geodesy, base.policy,
                  translator=base.translator, delivery=delivery)
        streams = Streams(hub, HubGate(hub, runtime.certificates), sweep_s=sweep_s)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(Starlette(routes=streams.routes()),
                                               host="127.0.0.1", port=port, lifespan="off",
                                               log_level="warning"))
        servers.append((server, asyncio.create_task(server.serve())))
        async with asyncio.timeout(WAIT):
            while not server.started:
                await asyncio.sleep(0.01)
        return Node(hub, f"ws://127.0.0.1:{port}/v1/stream", tokens[RECIPIENT])

    yield start
    for server, task in servers:
        server.should_exit = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WAIT):
                await task
    await runtime.store.stop()


async def catch_up(ws) -> int:
    """Up to the live marker; its `after`."""
    while True:
        frame = await next_frame(ws, WAIT)
        if frame["op"] == "live":
            return frame["after"]


async def receive(ws, count: int, timeout: float = WAIT) -> list[dict]:
    entries: list[dict] = []
    async with asyncio.timeout(timeout):
        while len(entries) < count:
            frame = await next_frame(ws, timeout)
            assert frame["op"] == "entries", frame
            entries.extend(frame["entries"])
    assert len(entries) == count
    return entries


async def nothing_more(ws, seconds: float = 0.5) -> None:
    with pytest.raises(TimeoutError):
        frame = await next_frame(ws, seconds)
        pytest.fail(f"unexpected frame {frame}")


async def test_an_entry_that_comes_after_a_later_one_is_pushed_in_order(start_node):
    delivery = UnreliableDelivery()
    node = await start_node(delivery, sweep_s=NEVER)
    async with node.connect() as ws:
        live = await catch_up(ws)
        delivery.late = {live + 1}
        sent = await node.submit(2)
        got = await receive(ws, 2)
        assert [e["seq"] for e in got] == [live + 1, live + 2]
        assert [e["transfer_id"] for e in got] == sent
        await nothing_more(ws)  # the late one, when it comes, is not pushed again
    assert node.reads == 1  # one read filled the gap


async def test_an_entry_never_published_is_read_when_the_next_one_comes(start_node):
    delivery = UnreliableDelivery()
    node = await start_node(delivery, sweep_s=NEVER)  # the gap alone, no sweep, finds it
    async with node.connect() as ws:
        live = await catch_up(ws)
        delivery.lost = {live + 1}
        sent = await node.submit(2)
        got = await receive(ws, 2)
        assert [e["seq"] for e in got] == [live + 1, live + 2]
        assert [e["transfer_id"] for e in got] == sent
        await nothing_more(ws)


async def test_a_gap_longer_than_a_page_is_read_a_page_at_a_time(start_node):
    delivery = UnreliableDelivery()
    node = await start_node(delivery, sweep_s=NEVER)
    n = PAGE + 50
    async with node.connect() as ws:
        live = await catch_up(ws)
        delivery.lost = set(range(live + 1, live + n))  # all but the last
        await node.append(n)
        got = await receive(ws, n)
        assert [e["seq"] for e in got] == list(range(live + 1, live + n + 1))
        await nothing_more(ws)
    assert node.reads == 2


async def test_an_idle_session_reads_a_last_entry_never_published(start_node):
    """The writer died between COMMIT and publishing, and nothing comes after: the
    session's sweep pushes it within about one interval."""
    delivery = UnreliableDelivery()
    sweep = 0.3
    node = await start_node(delivery, sweep_s=sweep)
    async with node.connect() as ws:
        live = await catch_up(ws)
        delivery.lost = {live + 1}
        started = time.monotonic()
        sent = await node.submit(1)
        (entry,) = await receive(ws, 1, timeout=sweep + WAIT)
        assert time.monotonic() - started < sweep + 2.0
        assert (entry["seq"], entry["transfer_id"]) == (live + 1, sent[0])
        await nothing_more(ws, 3 * sweep)  # later sweeps find nothing new to push


async def test_a_single_node_hub_does_no_extra_reads(start_node):
    """In-process delivery is complete and in order: no sweep, no gap reads."""
    delivery = UnreliableDelivery(cross_node=False)
    node = await start_node(delivery, sweep_s=0.1)
    async with node.connect() as ws:
        live = await catch_up(ws)
        await node.submit(3)
        assert [e["seq"] for e in await receive(ws, 3)] == [live + 1, live + 2, live + 3]
        await nothing_more(ws, 1.0)  # ten sweep intervals, idle
    assert node.reads == 0
