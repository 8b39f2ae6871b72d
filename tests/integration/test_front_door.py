"""The region's front door (issue 12): Debian's haproxy in front of real hub processes, on
loopback. Through it, requests and WebSocket streams reach a node; when a node is
SIGKILLed, requests keep succeeding (a request that cannot connect goes to another node),
the health checks take the dead node out within about a second, and a stream reconnects
through the same address to a node that is alive.

The two hubs start on copies of one database (same agencies, same tokens) and keep their
own after that: the point here is the proxy, not a shared store."""

from __future__ import annotations

import asyncio
import csv
import io
import signal
import time
import uuid

import httpx
import pytest

from bluelight.client import Client, body_of
from bluelight.hub.adapters.region.haproxy import FrontDoor
from bluelight.kernel.loopback import free_port
from samples import incident
from twins import start_twins

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

WAIT = 10.0  # only ever a bound on waiting for something to arrive


@pytest.fixture
def twins(tmp_path):
    t = start_twins(tmp_path / "hubs", count=2)
    yield t
    t.stop()


@pytest.fixture
def door(tmp_path, twins):
    d = FrontDoor(tmp_path / "door", [hub.url for hub in twins.hubs])
    d.start()
    for hub in twins.hubs:
        d.wait_state(hub.url, "UP", timeout_s=WAIT)
    yield d
    d.stop()


def _streaming(door: FrontDoor, twins) -> tuple:
    """The hub holding the one open stream (its tunnel is the only open session), and
    the other."""
    open_now = _sessions(door, "scur")
    assert sorted(open_now.values()) == [0, 1], open_now
    address = next(a for a, n in open_now.items() if n == 1)
    holder = next(h for h in twins.hubs if h.url.endswith(address))
    return holder, next(h for h in twins.hubs if h is not holder)


def _sessions(door: FrontDoor, column: str) -> dict[str, int]:
    """A per-node figure from haproxy's statistics: `scur` (open now), `stot` (ever)."""
    text = httpx.get(f"{door.stats_url}/stats;csv", timeout=2).text.removeprefix("# ")
    return {row["addr"]: int(row[column] or 0) for row in csv.DictReader(io.StringIO(text))
            if row["pxname"] == "hubs" and row["svname"] not in ("FRONTEND", "BACKEND")}


def test_haproxy_accepts_the_configuration_and_checks_it(tmp_path):
    nodes = [f"http://127.0.0.1:{free_port()}" for _ in range(3)]
    door = FrontDoor(tmp_path, nodes)
    text = door.write_config().read_text()
    door.check()  # haproxy -c -f haproxy.cfg
    for line in ("mode http", "option httpchk GET /healthz", "http-check expect status 200",
                 "timeout tunnel 1h", "option redispatch", "retries 3",
                 "fall 2 rise 2", "inter 500ms", "monitor-uri /healthz",
                 "on-marked-down shutdown-sessions"):
        assert line in text, line
    assert all(f"server node{i + 1} {n.removeprefix('http://')} " in text
               for i, n in enumerate(nodes))
    door.config.write_text(text.replace("balance leastconn", "balance nonsense"))
    with pytest.raises(ValueError, match="balance only supports"):
        door.check()


def test_a_reload_changes_the_nodes_and_keeps_the_address(tmp_path):
    """No hub needed: nodes on closed ports are simply down."""
    first = [f"127.0.0.1:{free_port()}" for _ in range(2)]
    door = FrontDoor(tmp_path, first)
    door.start()
    try:
        port = door.port
        assert sorted(door.servers()) == sorted(first)
        for node in first:
            assert door.wait_state(node, "DOWN", timeout_s=WAIT) < 3
        # No node up: the front door's own health says so, for whatever is in front of it.
        assert httpx.get(f"{door.stats_url}/healthz", timeout=2).status_code == 503
        assert httpx.get(f"{door.url}/healthz", timeout=5).status_code == 503
        other = f"127.0.0.1:{free_port()}"
        door.reload([other])
        assert list(door.servers()) == [other]
        assert door.port == port and door.process.poll() is None
    finally:
        door.stop()
    assert door.process.returncode is not None


async def test_requests_and_streams_pass_and_survive_a_node_killed(twins, door):
    police, police_token = twins.police
    fire, fire_token = twins.fire
    with httpx.Client(base_url=door.url, timeout=WAIT,
                      headers={"Authorization": f"Bearer {fire_token}"}) as http:
        # HTTP goes through, to both nodes.
        assert http.get("/healthz").json()["status"] == "ok"
        for _ in range(10):
            assert {a["id"] for a in http.get("/v1/agencies").json()} >= {police, fire}
        assert all(n > 0 for n in _sessions(door, "stot").values()), _sessions(door, "stot")
        # Fire sends to police, so that fire's own mailbox stays the same on both twins.
        r = http.post("/v1/incidents", json={"message_id": str(uuid.uuid4()),
                                             "recipients": [police], "incident": incident()})
        assert r.status_code == 201, r.text

        # A WebSocket stream through the front door (the SDK, one address).
        async with Client(door.url, fire_token) as client, client.stream() as stream:
            await stream.wait_live()
            first = incident()
            assert twins.mirror(first) == [201, 201]  # the same entry on either node
            entry = await asyncio.wait_for(anext(stream), WAIT)
            assert body_of(entry).incident.reference == first["reference"]
            victim, survivor = _streaming(door, twins)

            victim.kill()  # SIGKILL
            killed = time.monotonic()
            # Requests keep succeeding: one that cannot connect to the dead node goes to
            # the other, and the refused connection takes the dead node out at once (the
            # health checks would too, after two failed checks 0.5 s apart). Bounded: 3 s.
            answered, failures, out_after = 0, [], None
            dead = victim.url.removeprefix("http://")
            while out_after is None:
                assert time.monotonic() - killed < 3.0, "the dead node is still in"
                try:
                    r = await asyncio.to_thread(http.get, "/v1/agencies")
                    answered += 1
                    if r.status_code != 200:
                        failures.append(r.status_code)
                except httpx.TransportError as exc:
                    failures.append(repr(exc))
                if (await asyncio.to_thread(door.servers))[dead] == "DOWN":
                    out_after = time.monotonic() - killed
            assert failures == [] and answered >= 1, (answered, failures)
            assert out_after < 2.5, out_after
            assert door.servers()[survivor.url.removeprefix("http://")] == "UP"
            for _ in range(20):
                assert http.get("/v1/agencies").status_code == 200
            r = http.post("/v1/incidents", json={"message_id": str(uuid.uuid4()),
                                                 "recipients": [police],
                                                 "incident": incident()})
            assert r.status_code == 201, r.text

            # The stream reconnected through the same address, to the survivor, and
            # resumed after the last seq it had: the next entry, no repeat.
            second = incident()
            assert twins.mirror(second) == [201]
            entry2 = await asyncio.wait_for(anext(stream), WAIT)
            assert body_of(entry2).incident.reference == second["reference"]
            assert entry2.seq == entry.seq + 1
            assert stream.reconnects >= 1
            assert _sessions(door, "scur")[survivor.url.removeprefix("http://")] == 1


async def test_a_hung_node_is_taken_out_and_its_stream_moves(twins, door):
    """SIGSTOP: the node still accepts connections (the kernel does) but answers
    nothing. Its health checks time out, and when it is taken out its stream is closed,
    so the client reconnects to the other node instead of waiting for its ping to time
    out (40 s)."""
    async with Client(door.url, twins.fire[1]) as client, client.stream() as stream:
        await stream.wait_live()
        first = incident()
        assert twins.mirror(first) == [201, 201]
        entry = await asyncio.wait_for(anext(stream), WAIT)
        hung, other = _streaming(door, twins)
        hung.proc.send_signal(signal.SIGSTOP)
        try:
            stopped = time.monotonic()
            second = incident()
            r = httpx.post(f"{other.url}/v1/incidents", timeout=WAIT, json={
                "message_id": str(uuid.uuid4()), "recipients": [twins.fire[0]],
                "incident": second}, headers={"Authorization": f"Bearer {twins.police[1]}"})
            assert r.status_code == 201, r.text
            entry2 = await asyncio.wait_for(anext(stream), WAIT)
            moved_after = time.monotonic() - stopped
            assert body_of(entry2).incident.reference == second["reference"]
            assert entry2.seq == entry.seq + 1 and stream.reconnects >= 1
            assert door.servers()[hung.url.removeprefix("http://")] == "DOWN"
            assert moved_after < 5.0, moved_after  # two 1 s check timeouts, then a reconnect
        finally:
            hung.proc.send_signal(signal.SIGCONT)
