"""A regional cluster's nodes are interchangeable (issue 12): three real hub nodes on one
PostgreSQL (primary + synchronous standby), joined by a real 3-node NATS JetStream
cluster. Whatever node a client uses, it sees the same hub: live pushes cross nodes, a
mailbox resumes on another node with no gap and no repeat, a revocation closes streams
on every node, and each overdue alarm is raised once, also when the node scanning for
them dies or JetStream is down."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from bluelight.bootstrap import hub_transaction
from bluelight.client import Client
from bluelight.hub.domain.agency import Agency, Service
from bluelight.hub.domain.transfer import EntryKind
from bluelight.hub.services import credentials, directory
from bluelight.sim.region import LocalRegion
from hubprocess import unique
from samples import incident

pytestmark = pytest.mark.slow

WAIT = 15.0


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    region = LocalRegion(tmp_path_factory.mktemp("region"),
                         env={"BLUELIGHT_ESCALATE_INTERVAL_S": "0.05"}).up()
    yield region
    region.down()
    region.pg.remove()  # its data may lie outside tmp_path (see PgCluster._data_root)


def add_agency(region, service: Service, deadline: float | None = None) -> tuple[str, str]:
    agency_id = f"uk.{service.value}.{unique('c')}"
    token, job = directory.register(Agency(
        id=agency_id, name=agency_id, service=service, phone="01443 232000",
        ack_deadline_s=deadline, decision_deadline_s=deadline), time.time())
    hub_transaction(region.pg.dsn)(job)
    return agency_id, token


async def entries_of(stream, kind: EntryKind, count: int, timeout: float = WAIT) -> list:
    got = []

    async def collect():
        async for entry in stream:
            if entry.kind is kind:
                got.append(entry)
                if len(got) == count:
                    return

    await asyncio.wait_for(collect(), timeout)
    return got


async def test_an_incident_sent_on_one_node_is_pushed_live_on_another(region):
    police, police_token = add_agency(region, Service.POLICE)
    fire, fire_token = add_agency(region, Service.FIRE)
    one, two = region.nodes[0].url, region.nodes[1].url
    async with Client(one, police_token) as sender, Client(two, fire_token) as recipient, \
            recipient.stream() as inbox:
        sent = [await sender.submit([fire], incident(f"X-{i}")) for i in range(20)]
        pushed = await entries_of(inbox, EntryKind.INCIDENT_NEW, 20)
    assert [e.transfer_id for e in pushed] == [r.transfers[0].transfer_id for r in sent]
    assert [e.seq for e in pushed] == list(range(1, 21))


async def test_a_client_resumes_on_another_node_with_no_gap_and_no_repeat(region):
    police, police_token = add_agency(region, Service.POLICE)
    fire, fire_token = add_agency(region, Service.FIRE)
    async with Client(region.nodes[0].url, police_token) as sender:
        async with Client(region.nodes[1].url, fire_token) as recipient, \
                recipient.stream() as inbox:
            for i in range(5):
                await sender.submit([fire], incident(f"R-{i}"))
            first = await entries_of(inbox, EntryKind.INCIDENT_NEW, 5)
        # Gone from node 2 before acknowledging the last two; five more meanwhile.
        for i in range(5, 10):
            await sender.submit([fire], incident(f"R-{i}"))
        async with Client(region.nodes[2].url, fire_token) as recipient, \
                recipient.stream(after=3) as inbox:
            rest = await entries_of(inbox, EntryKind.INCIDENT_NEW, 7)
    assert [e.seq for e in first] == [1, 2, 3, 4, 5]
    assert [e.seq for e in rest] == list(range(4, 11))  # from 3 on: none missed, none twice


def test_a_revocation_closes_the_credential_s_streams_on_every_node_within_a_second(region):
    ambulance, _ = add_agency(region, Service.AMBULANCE)
    token, job = directory.new_credential(ambulance, time.time())
    hub_transaction(region.pg.dsn)(job)

    async def scenario() -> list[float]:
        sockets = []
        for node in (region.nodes[0], region.nodes[2]):
            ws = await websockets.connect(node.url.replace("http", "ws") + "/v1/stream",
                                          additional_headers={"Authorization": f"Bearer {token}"})
            await asyncio.wait_for(ws.recv(), 5)  # connected: the live frame
            sockets.append(ws)
        revoked = time.monotonic()
        hub_transaction(region.pg.dsn)(directory.revoke(credentials.split(token)[0],
                                                        time.time()))

        async def closed(ws) -> tuple[int, float]:
            with pytest.raises(ConnectionClosed) as ended:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            return ended.value.rcvd.code, time.monotonic() - revoked

        return await asyncio.gather(*(closed(ws) for ws in sockets))

    results = asyncio.run(scenario())
    assert [code for code, _ in results] == [4401, 4401]
    assert all(after <= 1.0 for _, after in results), results
    for node in region.nodes:
        r = httpx.get(f"{node.url}/v1/agencies", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401


def _lease_holder(region) -> str:
    rows = hub_transaction(region.pg.dsn)(lambda repo: repo._c.execute(
        "SELECT holder FROM leases WHERE name = 'overdue-scan'").fetchall())
    return rows[0][0]


async def _one_alarm(region, sender_node: int) -> list:
    police, police_token = add_agency(region, Service.POLICE)
    fire, _ = add_agency(region, Service.FIRE, deadline=0.3)  # never acknowledges
    async with Client(region.nodes[sender_node].url, police_token) as sender, \
            sender.stream() as inbox:
        receipt = await sender.submit([fire], incident())
        alarms = await entries_of(inbox, EntryKind.TRANSFER_OVERDUE, 1)
        # Watched a while longer: another node's scan must not raise it again.
        with contextlib.suppress(TimeoutError):
            alarms += await entries_of(inbox, EntryKind.TRANSFER_OVERDUE, 1, timeout=2.0)
    assert [a.transfer_id for a in alarms] == [receipt.transfers[0].transfer_id]
    return alarms


async def test_each_overdue_alarm_is_raised_once_and_still_when_the_scanning_node_dies(region):
    await _one_alarm(region, 0)
    holder = next(n for n in region.nodes if n.name == _lease_holder(region))
    region.signal_node(holder, signal.SIGKILL)
    try:
        others = [i for i, n in enumerate(region.nodes) if n is not holder]
        started = time.monotonic()
        await _one_alarm(region, others[0])
        # The lease lapses (3 s) and another node takes over the scan.
        assert _lease_holder(region) != holder.name
        assert time.monotonic() - started < WAIT
    finally:
        region.start_node(holder)


async def test_with_jetstream_down_transfers_are_stored_delivered_and_alarms_fire(region):
    police, police_token = add_agency(region, Service.POLICE)
    fire, fire_token = add_agency(region, Service.FIRE)
    for node in region.nats.nodes:
        region.nats.kill(node, signal.SIGKILL)
    try:
        async with Client(region.nodes[0].url, police_token) as sender, \
                Client(region.nodes[1].url, fire_token) as recipient, \
                recipient.stream() as inbox:
            receipt = await sender.submit([fire], incident())
            # Pushed from node 1 to node 2's session without JetStream: the session
            # reads the store when nothing live comes (within a second).
            [entry] = await entries_of(inbox, EntryKind.INCIDENT_NEW, 1)
            assert entry.transfer_id == receipt.transfers[0].transfer_id
        await _one_alarm(region, 2)
    finally:
        for node in region.nats.nodes:
            region.nats.start_node(node)
        region.nats.wait_ready()


async def test_a_console_session_signed_in_on_one_node_works_on_every_node(region):
    fire, _ = add_agency(region, Service.FIRE)
    from bluelight.hub.domain.operator import Operator
    from bluelight.hub.services import operators

    username, password = unique("op"), "correct horse battery staple"
    hub_transaction(region.pg.dsn)(operators.add(
        Operator(username=username, name="Op", agency=fire),
        operators.hash_password(password), time.time()))
    async with httpx.AsyncClient(base_url=region.nodes[0].url) as one:
        r = await one.post("/console/api/session",
                           json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        cookie = "; ".join(f"{k}={v}" for k, v in r.cookies.items())
    for node in region.nodes[1:]:
        async with httpx.AsyncClient(base_url=node.url) as other:
            me = await other.get("/console/api/session", headers={"Cookie": cookie})
            assert me.status_code == 200, me.text
            assert me.json()["username"] == username
