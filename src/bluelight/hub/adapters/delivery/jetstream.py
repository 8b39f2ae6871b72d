"""Delivery between the nodes of a regional hub over NATS JetStream (issue 12, decision
0026).

The node that commits an entry offers it to its own sessions at once (the fast path),
and publishes it to one replicated stream, `Nats-Msg-Id` = the entry's id so that a
retried or repeated publish is stored once. Every node reads the whole stream through an
ordered consumer of its own (in memory, one replica, no acks: nats-py re-creates it from
the last stream sequence it saw when heartbeats stop or a sequence is skipped) and offers
what arrives to its sessions. A durable, replicated consumer with acks cost the NATS
servers three times the CPU per entry, for a position the store already keeps: each
session's seq (decision 0026). An entry comes back to the node that published it: a
per-agency "highest seq offered" drops it, so a session's queue holds each entry once.

Across nodes entries can arrive out of order (node A commits seq 10 and node B seq 11,
and B's publish lands first: 10 is then dropped here as old) or not at all (a node died
between COMMIT and publishing). The adapter does not reorder or wait: the stream session
fills a gap from the store, and reads the store when nothing live has come for a while
(`cross_node`). The mailbox in the store stays the record; the stream is kept an hour."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Sequence

import msgspec
import nats
import structlog
from nats.aio.client import Client as Nats
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    DeliverPolicy,
    DiscardPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from bluelight.hub.adapters.delivery.inprocess import InProcessDelivery, Subscription
from bluelight.hub.adapters.delivery.jetstream_publisher import OrderedPublisher
from bluelight.hub.domain.transfer import Entry

log = structlog.get_logger(__name__)

SUBJECT_PREFIX = "bluelight.mailbox"
_NODE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a consumer name may not hold ".", "*", ">"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(Entry).decode


def subject_of(agency: str) -> str:
    """The agency's subject. An agency id has dots, which separate subject tokens: every
    character but letters, digits, "_" and "-" is written %XX (its UTF-8 bytes), so
    "uk.fire.south-wales" is `bluelight.mailbox.uk%2Efire%2Esouth-wales` (reversible, and
    readable in `nats sub`)."""
    token = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), agency)
    return f"{SUBJECT_PREFIX}.{token or '%'}"


class JetStreamDelivery:
    """The `Delivery` port across hub nodes. `queue_limit` and `queue_bytes` bound each
    session's queue, as in-process; `backlog_limit` and `backlog_bytes` bound what waits
    to be published while JetStream is unreachable."""

    cross_node = True  # entries may come late or not at all: sessions also read the store

    def __init__(self, queue_limit: int = 20_000, queue_bytes: int = 32 * 1024 * 1024, *,
                 backlog_limit: int = 50_000, backlog_bytes: int = 64 * 1024 * 1024,
                 publish_timeout_s: float = 5.0, reconnect_wait_s: float = 0.5,
                 heartbeat_s: float = 1.0) -> None:
        self._local = InProcessDelivery(queue_limit, queue_bytes)
        self._highest: dict[str, int] = {}  # per agency: the highest seq offered here
        self._publisher = OrderedPublisher(self._send, limit=backlog_limit,
                                           limit_bytes=backlog_bytes)
        self.publish_timeout_s, self.heartbeat_s = publish_timeout_s, heartbeat_s
        self.reconnect_wait_s = reconnect_wait_s
        self._nc: Nats | None = None
        self._js: JetStreamContext | None = None  # set once the stream and consumer exist
        self._linking: asyncio.Task | None = None
        self._erring = False  # an outage is under way: it was logged once
        # for metrics (with the publisher's: see `counters`)
        self.received = 0  # entries read from the stream
        self.repeats = 0  # not offered: this node had offered that seq or a later one
        self.malformed = 0  # messages on the subjects that are not entries
        self.reconnects = 0

    async def start(self, urls: list[str], node: str, stream: str = "BLUELIGHT_MAILBOX",
                    replicas: int = 3, ready_timeout_s: float = 30.0) -> None:
        """Connect (to any of `urls`, reconnecting for ever), make sure the stream exists,
        read it through this node's ordered consumer, and start publishing. If JetStream is
        not there within `ready_timeout_s` the hub starts anyway: this carries on in the
        background, entries wait in the backlog, and sessions read from the store."""
        if not _NODE.fullmatch(node):
            raise ValueError(f"node name {node!r}: letters, digits, '_' and '-' only")
        self._publisher.start()
        self._linking = asyncio.create_task(self._link(urls, node, stream, replicas))
        await asyncio.wait({self._linking}, timeout=ready_timeout_s)
        if not self.ready:
            log.warning("jetstream not ready; carrying on, linking in the background",
                        urls=urls, node=node)

    async def stop(self) -> None:
        if self._linking is not None:
            self._linking.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._linking
        await self._publisher.stop()
        if self._nc is not None:
            await self._nc.close()
        self._nc = self._js = None

    @property
    def ready(self) -> bool:
        return self._js is not None

    def counters(self) -> dict[str, int]:
        """Everything countable, for metrics."""
        p = self._publisher
        return {"published": p.published, "duplicates": p.duplicates, "dropped": p.dropped,
                "retries": p.retries, "backlog": p.backlog, "received": self.received,
                "repeats": self.repeats, "malformed": self.malformed, "reconnects": self.reconnects}

    def publish(self, entries: Sequence[Entry]) -> None:
        """Called by the store after COMMIT, on the event loop: offer at once to this
        node's sessions, and queue for the stream. Never blocks, never raises."""
        try:
            for entry in entries:
                self._offer(entry)
            self._publisher.put(entries)
        except Exception:  # the entries are committed: a push lost here is read later
            log.exception("jetstream delivery: publish failed")

    def subscribe(self, agency: str) -> Subscription:
        return self._local.subscribe(agency)

    def unsubscribe(self, sub: Subscription) -> None:
        self._local.unsubscribe(sub)

    def connected(self, agency: str) -> int:
        return self._local.connected(agency)

    def _offer(self, entry: Entry) -> None:
        if entry.seq <= self._highest.get(entry.agency, 0):
            self.repeats += 1
            return
        self._highest[entry.agency] = entry.seq
        self._local.publish((entry,))

    async def _link(self, urls: list[str], node: str, stream: str, replicas: int) -> None:
        """Until the stream and this node's consumer are set up; retried with backoff (at
        start the cluster may still be electing its leaders)."""
        delay = 0.2
        while True:
            try:
                if self._nc is None:
                    self._nc = await nats.connect(
                        servers=urls, name=f"bluelight-hub-{node}", connect_timeout=2,
                        max_reconnect_attempts=-1, reconnect_time_wait=self.reconnect_wait_s,
                        error_cb=self._error, disconnected_cb=self._disconnected,
                        reconnected_cb=self._reconnected)
                js = self._nc.jetstream(timeout=self.publish_timeout_s)
                await self._ensure_stream(js, stream, replicas)
                # A new node needs nothing older: its sessions start from the store. After
                # two missed heartbeats (its server died) nats-py makes the consumer again
                # from the sequence after the last one delivered.
                await js.subscribe(
                    f"{SUBJECT_PREFIX}.>", stream=stream, cb=self._received,
                    ordered_consumer=True, idle_heartbeat=self.heartbeat_s,
                    deliver_policy=DeliverPolicy.NEW)
                self._js, self._erring = js, False
                log.info("jetstream delivery ready", node=node, stream=stream)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._log_outage("jetstream not ready; retrying", node=node, error=repr(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    @staticmethod
    async def _ensure_stream(js: JetStreamContext, name: str, replicas: int) -> None:
        config = StreamConfig(
            name=name, subjects=[f"{SUBJECT_PREFIX}.>"], storage=StorageType.FILE,
            num_replicas=replicas, discard=DiscardPolicy.OLD,
            # Retries and other nodes' repeats within this window are stored once.
            duplicate_window=120,
            # The store's mailbox is the record; the stream only carries entries across.
            max_age=3600)
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(config)
        else:
            await js.update_stream(config)

    async def _send(self, batch: list[Entry]) -> tuple[int, int]:
        """Publish a window without waiting for each ack in turn; one connection keeps
        them in order. Returns (acknowledged from the first, of which duplicates)."""
        js, nc = self._js, self._nc
        if js is None or nc is None or not nc.is_connected:
            return 0, 0  # reconnecting: nothing would be acknowledged before the timeout
        futures: list[asyncio.Future] = []
        try:
            for entry in batch:
                futures.append(await js.publish_async(
                    subject_of(entry.agency), _encode(entry), wait_stall=self.publish_timeout_s,
                    headers={"Nats-Msg-Id": entry.id}))
        except Exception as exc:  # the connection went: what went out may yet be acked
            log.debug("jetstream publish interrupted", error=repr(exc))
        if futures:
            await asyncio.wait(futures, timeout=self.publish_timeout_s)
        acked = duplicates = 0
        prefix = True
        for future in futures:
            if not future.done():
                future.cancel()  # frees its slot in nats-py's pending publishes
                prefix = False
            elif future.cancelled() or future.exception() is not None:
                prefix = False
            elif prefix:
                acked += 1
                duplicates += future.result().duplicate is True
        return acked, duplicates

    async def _received(self, msg: Msg) -> None:
        try:
            entry = _decode(msg.data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            self.malformed += 1
            log.error("not a mailbox entry on the stream", subject=msg.subject)
        else:
            self.received += 1
            self._offer(entry)

    def _log_outage(self, event: str, **fields) -> None:
        """A warning for the first failure of an outage; the retries that follow (several
        a second) at debug level."""
        if self._erring:
            log.debug(event, **fields)
        else:
            self._erring = True
            log.warning(event, **fields)

    async def _error(self, exc: Exception) -> None:
        self._log_outage("nats client error", error=repr(exc))

    async def _disconnected(self) -> None:
        log.warning("nats disconnected; reconnecting")

    async def _reconnected(self) -> None:
        self.reconnects += 1
        self._erring = False
        url = self._nc.connected_url if self._nc else None
        log.info("nats reconnected", url=url.netloc if url else None)
