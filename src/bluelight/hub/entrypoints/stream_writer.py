"""The stream's way out to the client: a bounded outbox and the one task that writes.

Everything the hub sends on a connection (entries, results, the live marker) is encoded
into the outbox, which is measured in bytes. Producers wait for room instead of growing
it: catch-up and the live push until it is down to LOW_WATER, command results until it
is under LIMIT. So what a connection holds is bounded whether or not its client reads.

The writer hands the outbox to the socket, a chunk at a time. A write that cannot
complete within the deadline means the client has stopped reading: the writer then
aborts the transport (see wsprotocol), since a close frame would only queue behind the
data the client is not reading."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected

from bluelight.hub.entrypoints import wsprotocol

LOW_WATER = 256 * 1024  # catch-up reads, and the live push encodes, only below this
LIMIT = 1024 * 1024  # command results wait for room above this
# One WebSocket message carries queued frames up to this size (a larger frame goes
# alone). A write is copied four or five times on its way to the socket (joined, str,
# bytes again, framed, the transport's buffer): this keeps those copies small.
WRITE_CHUNK = 64 * 1024
# Entries frames are cut at this size (one larger entry goes alone), so what waits in the
# outbox is bounded in bytes whatever the size of the entries.
FRAME_BYTES = 64 * 1024


class Outbox:
    """Encoded frames waiting for the writer, and how many bytes they hold."""

    def __init__(self) -> None:
        self._frames: list[bytes] = []
        self.size = 0
        self.closed = False  # the connection is over: frames have nowhere to go
        self.ready = asyncio.Event()  # something to write
        self._taken = asyncio.Event()  # the writer took some: there may be room now

    def put(self, frame: bytes) -> None:
        """Queue a frame. Callers wait for room first (`below`)."""
        if self.closed:
            return
        self._frames.append(frame)
        self.size += len(frame)
        self.ready.set()

    async def below(self, level: int) -> None:
        """Until the outbox holds at most `level` bytes (or is closed)."""
        while self.size > level and not self.closed:
            self._taken.clear()
            await self._taken.wait()

    def take(self, most: int) -> bytes | None:
        """The next message to write: queued frames up to `most` bytes, as a JSON array
        when there are several (at least one frame, however large)."""
        if not self._frames:
            return None
        count, size = 1, len(self._frames[0])
        while count < len(self._frames) and size + len(self._frames[count]) + 1 <= most:
            size += len(self._frames[count]) + 1
            count += 1
        frames, self._frames = self._frames[:count], self._frames[count:]
        self.size -= sum(len(f) for f in frames)
        if not self._frames:
            self.ready.clear()
        self._taken.set()
        return frames[0] if count == 1 else b"[" + b",".join(frames) + b"]"

    def close(self) -> None:
        """Drop what is queued, take nothing more, and release whoever waits for room."""
        self.closed = True
        self._frames, self.size = [], 0
        self._taken.set()


class Writer:
    """The only task that writes to the socket, closes it, or cuts it off."""

    def __init__(self, ws: WebSocket, deadline: float) -> None:
        self.ws = ws
        self.deadline = deadline  # seconds a write may take before the client is cut off
        self.outbox = Outbox()
        self.aborted = False
        self._close: tuple[int, str] | None = None

    def close(self, code: int, reason: str) -> None:
        """Close the connection instead of writing anything more. Frames still queued are
        dropped: entries stay in the mailbox, and a client resends unanswered commands."""
        if self._close is None:
            self._close = (code, reason)
            self.outbox.ready.set()  # wake the writer

    async def run(self) -> None:
        """Write until closed, or until the client disconnects or is cut off."""
        with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected):
            while self._close is None:
                message = self.outbox.take(WRITE_CHUNK)
                if message is None:
                    await self.outbox.ready.wait()
                elif not await self._in_time(self.ws.send_text(message.decode())):
                    return
            await self._in_time(self.ws.close(*self._close))

    async def _in_time(self, write) -> bool:
        """Run one write (or close) under the deadline; False if the client was cut off.
        uvicorn's send waits while the transport's buffer is over its high-water mark,
        which is exactly what a client that does not read causes."""
        try:
            async with asyncio.timeout(self.deadline):
                await write
            return True
        except TimeoutError:
            self.cut_off()
            return False

    def cut_off(self) -> None:
        self.aborted = True
        wsprotocol.abort(self.ws.scope)

    def linger(self) -> None:
        """When the session is over: whatever it left unsent (a close frame behind data
        the client never read) may take at most the deadline to go, then the transport
        is aborted. uvicorn's own close waits for the buffer to drain, i.e. for ever."""
        transport = wsprotocol.transport_of(self.ws.scope)
        if transport is not None:  # resetting a transport already closed does nothing
            asyncio.get_running_loop().call_later(self.deadline, _reset_if_stuck, transport)


def _reset_if_stuck(transport: asyncio.Transport) -> None:
    # Closed cleanly by now (the client read its close frame): nothing to do. Still holding
    # unsent data (a client that stopped reading): reset.
    if transport.get_write_buffer_size() or not transport.is_closing():
        wsprotocol.reset(transport)


_OPEN = b'{"op":"entries","entries":['  # EntriesFrame as msgspec writes it


def entries_frames(encoded: list[bytes]) -> list[bytes]:
    """Encoded entries as entries frames of at most FRAME_BYTES each, in order."""
    frames, group, size = [], [], len(_OPEN) + 2
    for entry in encoded:
        if group and size + len(entry) + 1 > FRAME_BYTES:
            frames.append(_OPEN + b",".join(group) + b"]}")
            group, size = [], len(_OPEN) + 2
        group.append(entry)
        size += len(entry) + 1
    if group:
        frames.append(_OPEN + b",".join(group) + b"]}")
    return frames
