"""The WebSocket protocol the hub runs under uvicorn: websockets-sansio, plus a handle on
the connection's transport.

A client that stops reading can only be cut off by aborting its transport. A close frame
(or uvicorn's `transport.close()`) waits behind the unsent data, i.e. for ever, and keeps
the socket open, counted and holding its buffers. uvicorn does not put the transport in
the ASGI scope, so this protocol does, as the scope extension `bluelight.transport`
(`{"transport": asyncio.Transport}`); `abort` below uses it.

It also stops a ping flood: uvicorn answers each ping by writing a pong, whether or not
the client reads, so a client that pings and never reads would grow the write buffer
without bound."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

EXTENSION = "bluelight.transport"
# More unsent than this when a ping arrives, and the client is not reading: far more than
# the stream ever leaves in the buffer (one write of at most its 64 KiB write chunk, on
# top of asyncio's 64 KiB high-water mark).
PONG_BACKLOG = 1024 * 1024


class StreamProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event) -> None:  # type: ignore[override]
        super().handle_connect(event)  # builds self.scope when it accepts the upgrade
        if self.response.status_code == 101:
            self.scope["extensions"][EXTENSION] = {"transport": self.transport}  # type: ignore[typeddict-unknown-key]

    def handle_ping(self) -> None:
        super().handle_ping()
        if self.transport.get_write_buffer_size() > PONG_BACKLOG:
            reset(self.transport)


def transport_of(scope: Any) -> asyncio.Transport | None:
    return ((scope or {}).get("extensions") or {}).get(EXTENSION, {}).get("transport")


def abort(scope: Any) -> bool:
    """Drop the connection at once, unsent data and all: the client sees it dropped, and
    uvicorn forgets it. False if the server gave no transport."""
    transport = transport_of(scope)
    if transport is None:
        return False
    reset(transport)
    return True


def reset(transport: asyncio.BaseTransport) -> None:
    """Abort with a TCP reset. A plain abort closes the socket, but the kernel keeps
    trying to deliver what is in its send buffer (megabytes) to a client that reads
    nothing, for minutes, and the client still sees an open connection. Lingering zero
    seconds makes the close a reset: the kernel frees the buffer, the client is told."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()  # a no-op on a transport already closed
