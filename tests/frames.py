"""Reading frames from a raw WebSocket in tests. The hub may coalesce several frames into
one JSON array; these helpers hand them out one at a time."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from weakref import WeakKeyDictionary

_buffers: WeakKeyDictionary = WeakKeyDictionary()


def unpack(raw: str | bytes) -> list[dict]:
    data = json.loads(raw)
    return data if isinstance(data, list) else [data]


def _buffer(ws) -> deque:
    if ws not in _buffers:
        _buffers[ws] = deque()
    return _buffers[ws]


async def next_frame(ws, timeout: float) -> dict:
    buffer = _buffer(ws)
    while not buffer:
        buffer.extend(unpack(await asyncio.wait_for(ws.recv(), timeout)))
    return buffer.popleft()


def next_frame_sync(ws, timeout: float) -> dict:
    buffer = _buffer(ws)
    while not buffer:
        buffer.extend(unpack(ws.recv(timeout=timeout)))
    return buffer.popleft()


def pending(ws) -> list[dict]:
    """Frames already received but not yet handed out."""
    return list(_buffer(ws))
