"""The JetStream adapter's way out: committed entries, in commit order, to the stream.

The store hands entries over synchronously on the event loop (`Store.write(publish=)`),
so nothing here may block or raise into it: entries wait in a bounded backlog and one
task sends them. It sends a window of them at a time without waiting for each
acknowledgement in turn (with `sync_interval: always`, one at a time is a few hundred a
second; a window keeps up with the hub), and retries from the first one JetStream did
not acknowledge. A retried entry keeps its `Nats-Msg-Id`, so the stream stores it once.

While JetStream is unreachable the backlog grows to its bound, then loses its oldest
entries (counted in `dropped`). That loses no transfer: the mailbox in the store is the
record, and the sessions on other nodes read what they missed from it (decision 0026)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

import structlog

from bluelight.hub.domain.transfer import Entry

log = structlog.get_logger(__name__)

# Sends a window of entries in order; returns how many of them, from the first, JetStream
# acknowledged, and how many of those it already had (duplicates). Raises or returns
# fewer than all when it could not send them.
Send = Callable[[list[Entry]], Awaitable[tuple[int, int]]]


class OrderedPublisher:
    def __init__(self, send: Send, *, limit: int, limit_bytes: int, window: int = 256,
                 backoff_s: float = 0.05, backoff_max_s: float = 1.0) -> None:
        self._send = send
        self.limit, self.limit_bytes, self.window = limit, limit_bytes, window
        self.backoff_s, self.backoff_max_s = backoff_s, backoff_max_s
        self._backlog: deque[Entry] = deque()
        self._bytes = 0  # of the bodies in the backlog
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        # for metrics
        self.published = 0  # acknowledged by JetStream (duplicates included)
        self.duplicates = 0  # acknowledged as already stored (a retry, or another node's)
        self.dropped = 0  # lost from a full backlog: sessions read them from the store
        self.retries = 0  # windows sent again after a failure

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    def put(self, entries: Sequence[Entry]) -> None:
        """Queue entries behind those already waiting; never blocks."""
        for entry in entries:
            self._backlog.append(entry)
            self._bytes += len(entry.body)
        while self._backlog and (len(self._backlog) > self.limit
                                 or self._bytes > self.limit_bytes):
            self._bytes -= len(self._backlog.popleft().body)
            self.dropped += 1
        if self._backlog:
            self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._backlog:
                take = min(self.window, len(self._backlog))
                batch = [self._backlog.popleft() for _ in range(take)]
                self._bytes -= sum(len(e.body) for e in batch)
                await self._deliver(batch)

    async def _deliver(self, batch: list[Entry]) -> None:
        """Until JetStream has every entry of the batch, retrying with backoff. The batch
        is out of the backlog meanwhile: the backlog's bound leaves out one window."""
        delay, failing = self.backoff_s, False
        while batch:
            try:
                acked, duplicates = await self._send(batch)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                acked, duplicates = 0, 0
                if not failing:
                    log.warning("jetstream publish failed; retrying", error=repr(exc))
            del batch[:acked]
            self.published += acked
            self.duplicates += duplicates
            if batch:
                if not failing:
                    failing = True
                    log.warning("jetstream not acknowledging; entries wait in the backlog",
                                waiting=len(batch) + len(self._backlog))
                self.retries += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_max_s)
        if failing:
            log.info("jetstream acknowledging again", dropped=self.dropped)
