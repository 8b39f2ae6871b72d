"""The delivery fabric of a regional hub (issue 12): a real 3-node NATS JetStream cluster
from the pinned wheel, on loopback. What the JetStream delivery adapter will rely on:

- an R3 stream keeps every acknowledged message when a node is SIGKILLed, and the
  survivors keep accepting writes;
- a message id published twice is stored once (deduplication);
- a durable consumer resumes where it acknowledged, after its client reconnects;
- every node runs with `sync_interval: always` (fsync before the ack)."""

from __future__ import annotations

import asyncio

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@pytest.fixture
def cluster(nats_cluster):
    return nats_cluster


async def _connect(urls):
    return await nats.connect(servers=urls, connect_timeout=2, max_reconnect_attempts=60,
                              reconnect_time_wait=0.2)


async def _retried(call, attempts: int = 75):
    """Right after a start or a node's loss, the cluster may still be electing a leader
    (a few seconds): a request may time out meanwhile. Bounded."""
    for attempt in range(attempts):
        try:
            return await call()
        except Exception:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.2)


async def _stream(js, name: str = "ENTRIES") -> None:
    await _retried(lambda: js.add_stream(StreamConfig(
        name=name, subjects=["entries.>"], num_replicas=3, storage=StorageType.FILE,
        duplicate_window=120)))


def test_every_node_fsyncs_before_it_acknowledges(cluster):
    for node in cluster.nodes:
        assert "sync_interval: always" in node.config.read_text()


async def test_acknowledged_messages_survive_a_node_killed(cluster):
    nc = await _connect(cluster.urls)
    js = nc.jetstream()
    await _stream(js)
    acked = []
    for i in range(100):
        ack = await js.publish("entries.uk.fire.a", f"entry {i}".encode(),
                               headers={"Nats-Msg-Id": f"e-{i}"})
        acked.append(ack.seq)
    cluster.kill(cluster.nodes[0])  # SIGKILL: no chance to flush anything
    # The two survivors keep a quorum: writes go on.
    for i in range(100, 150):
        ack = await _retried(lambda i=i: js.publish(
            "entries.uk.fire.a", f"entry {i}".encode(), headers={"Nats-Msg-Id": f"e-{i}"},
            timeout=2))
        acked.append(ack.seq)
    info = await _retried(lambda: js.stream_info("ENTRIES"))
    # A retried publish is deduplicated by its id: still exactly 150.
    assert info.state.messages == 150 == len(set(acked))
    sub = await _retried(lambda: js.pull_subscribe("entries.>", durable="reader"))
    seen = []
    for _ in range(10):  # bounded: 150 messages come in three fetches
        for msg in await sub.fetch(50, timeout=5):
            seen.append(msg.data.decode())
            await msg.ack()
        if len(seen) >= 150:
            break
    assert seen == [f"entry {i}" for i in range(150)]  # every one, in order
    await nc.close()


async def test_a_message_id_published_twice_is_stored_once(cluster):
    nc = await _connect(cluster.urls)
    js = nc.jetstream()
    await _stream(js)
    first = await js.publish("entries.uk.police.b", b"x", headers={"Nats-Msg-Id": "tr_1:seq:7"})
    again = await js.publish("entries.uk.police.b", b"x", headers={"Nats-Msg-Id": "tr_1:seq:7"})
    assert again.duplicate and again.seq == first.seq
    assert (await js.stream_info("ENTRIES")).state.messages == 1
    await nc.close()


async def test_a_durable_consumer_resumes_after_what_it_acknowledged(cluster):
    nc = await _connect(cluster.urls)
    js = nc.jetstream()
    await _stream(js)
    for i in range(10):
        await js.publish("entries.uk.fire.c", str(i).encode(), headers={"Nats-Msg-Id": str(i)})
    config = ConsumerConfig(durable_name="fire-c", ack_policy=AckPolicy.EXPLICIT)
    sub = await js.pull_subscribe("entries.uk.fire.c", durable="fire-c", config=config)
    for msg in await sub.fetch(4, timeout=5):
        await msg.ack_sync()
    await nc.close()
    # Another client, through another node, picks up where the first acknowledged.
    nc = await _connect(list(reversed(cluster.urls)))
    js = nc.jetstream()
    sub = await js.pull_subscribe("entries.uk.fire.c", durable="fire-c")
    rest = [int(m.data) for m in await sub.fetch(6, timeout=5)]
    assert rest == [4, 5, 6, 7, 8, 9]
    await nc.close()
