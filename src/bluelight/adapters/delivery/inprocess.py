"""Delivery within one hub process: committed entries go straight to the WebSocket
sessions of their agency. A later adapter does the same over NATS JetStream.

Nothing is lost if a push fails or a session is slow: the mailbox in the store is the
record, and a client that reconnects catches up from it."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import Sequence

from bluelight.domain.transfer import Entry


class Subscription:
    """One connected session's queue. When it overflows, the session is told to drop
    the connection and catch up from the store, rather than grow without bound."""

    def __init__(self, agency: str, limit: int) -> None:
        self.agency = agency
        self.limit = limit
        self.overflowed = False
        self._queue: deque[Entry] = deque()
        self._ready = asyncio.Event()

    def offer(self, entry: Entry) -> None:
        if len(self._queue) >= self.limit:
            self.overflowed = True
        else:
            self._queue.append(entry)
        self._ready.set()

    async def next_batch(self) -> list[Entry]:
        await self._ready.wait()
        self._ready.clear()
        batch = list(self._queue)
        self._queue.clear()
        return batch


class InProcessDelivery:
    def __init__(self, queue_limit: int = 20_000) -> None:
        self._queue_limit = queue_limit
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    def publish(self, entries: Sequence[Entry]) -> None:
        subs = self._subs
        for entry in entries:
            for sub in subs.get(entry.agency, ()):
                sub.offer(entry)

    def subscribe(self, agency: str) -> Subscription:
        sub = Subscription(agency, self._queue_limit)
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
