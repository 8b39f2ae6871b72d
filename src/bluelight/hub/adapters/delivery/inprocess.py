"""Delivery within one hub process: committed entries go straight to the WebSocket
sessions of their agency. `jetstream.py` does the same across the nodes of a regional
hub.

Nothing is lost if a push fails or a session is slow: the mailbox in the store is the
record, and a client that reconnects catches up from it."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Sequence

from bluelight.hub.domain.transfer import Entry


class Subscription:
    """One connected session's queue of entries committed but not yet sent: at most
    `limit` entries, and at most `limit_bytes` of entry bodies (an agency's entries can be
    a few hundred bytes or a few hundred KiB). When it overflows, the session is told to
    drop the connection and catch up from the store, rather than grow without bound."""

    def __init__(self, agency: str, limit: int, limit_bytes: int) -> None:
        self.agency = agency
        self.limit, self.limit_bytes = limit, limit_bytes
        self.size = 0  # bytes of the bodies queued
        self.overflowed = False
        self._queue: deque[Entry] = deque()
        self._ready = asyncio.Event()

    def offer(self, entry: Entry) -> None:
        size = len(entry.body)
        if len(self._queue) >= self.limit or self.size + size > self.limit_bytes:
            self.overflowed = True
        else:
            self._queue.append(entry)
            self.size += size
        self._ready.set()

    async def next_batch(self, most: int | None = None) -> list[Entry]:
        """The oldest `most` entries (or all), once there are any. Taking a bounded batch
        leaves the rest counted here, against the limit, while the session sends it."""
        await self._ready.wait()
        take = len(self._queue) if most is None else min(most, len(self._queue))
        batch = [self._queue.popleft() for _ in range(take)]
        self.size -= sum(len(e.body) for e in batch)
        if not self._queue:
            self._ready.clear()
        return batch


class InProcessDelivery:
    cross_node = False  # this process publishes every entry, in commit order

    # 20,000 entries is some minutes of a busy control room's traffic; 32 MiB is about
    # that many typical entries (1-2 KB), and caps a queue of large ones.
    def __init__(self, queue_limit: int = 20_000, queue_bytes: int = 32 * 1024 * 1024) -> None:
        self._queue_limit, self._queue_bytes = queue_limit, queue_bytes
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    def publish(self, entries: Sequence[Entry]) -> None:
        subs = self._subs
        for entry in entries:
            for sub in subs.get(entry.agency, ()):
                sub.offer(entry)

    def subscribe(self, agency: str) -> Subscription:
        sub = Subscription(agency, self._queue_limit, self._queue_bytes)
        self._subs[agency].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.agency)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.agency]

    def connected(self, agency: str) -> int:
        return len(self._subs.get(agency, ()))
