from __future__ import annotations

import asyncio
import contextlib
import itertools
import uuid
from collections import deque
from typing import TYPE_CHECKING, Any

import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from bluelight.client._errors import HubError, Unavailable
from bluelight.wire.incident import Incident
from bluelight.wire.transfer import Entry
from bluelight.wire.views import Receipt, TransferView

if TYPE_CHECKING:
    from bluelight.client._http import Client

_encode = msgspec.json.Encoder().encode


class _Entries(msgspec.Struct, tag_field="op", tag="entries"):
    entries: list[Entry]


class _Live(msgspec.Struct, tag_field="op", tag="live"):
    after: int


class _Result(msgspec.Struct, tag_field="op", tag="result"):
    status: int
    body: msgspec.Raw
    corr: str | None = None


_frame = msgspec.json.Decoder(_Entries | _Live | _Result)
_frame_list = msgspec.json.Decoder(list[_Entries | _Live | _Result])
_receipt = msgspec.json.Decoder(Receipt)
_transfer = msgspec.json.Decoder(TransferView)
_END = object()  # queued when the stream can deliver no more
_REMEMBER_ACKS = 100_000  # acks remembered for re-acknowledging replayed repeats
# What the hub accepts in one WebSocket message (its defaults): at most 100 commands in an
# array, at most 10,000 seqs in an ack, and at most 256 KiB (larger closes the socket).
# The SDK stays well inside them.
_MAX_BATCH = 100
_ACK_CHUNK = 5_000
_MAX_MESSAGE = 64 * 1024  # frames join into one message up to this size
_MAX_FRAME = 256 * 1024  # a command larger than this is refused here, as the hub would


class _Pending:
    """A command sent on the socket and not yet answered."""

    __slots__ = ("frame", "future", "decode", "op", "fields", "resent", "timer")

    def __init__(self, frame: str, future: asyncio.Future, decode: Any, op: str,
                 fields: dict) -> None:
        self.frame, self.future, self.decode = frame, future, decode
        self.op, self.fields = op, fields
        self.resent = False
        self.timer: asyncio.TimerHandle | None = None


class Stream:
    """The agency's live mailbox, as an async iterator of `Entry`, that survives
    disconnects.

    It reconnects with backoff and resumes after the last seq it saw; the hub replays
    anything missed and anything whose acknowledgement was lost. With the client's
    `endpoints`, each reconnect goes to the next endpoint (a region's nodes share one
    mailbox, so a seq means the same on each). Repeats are dropped here, so the
    application sees each entry once (for the life of this object: an application
    that restarts should persist `last_seq` and pass it as `after`).
    With `auto_ack`, each entry is acknowledged as the application takes it.

    Commands (`submit`, `decide`) sent on the socket are resent after a reconnect until
    the hub answers; the hub deduplicates submissions by message_id."""

    def __init__(self, client: Client, *, after: int | None = None, auto_ack: bool = True,
                 max_backoff: float = 2.0) -> None:
        self._client = client
        self._after = after  # highest seq received
        self._yielded = after if after is not None else 0  # highest seq the app has taken
        self.auto_ack = auto_ack
        self._max_backoff = max_backoff
        self._queue: asyncio.Queue = asyncio.Queue()
        self._pending: dict[str, _Pending] = {}
        self._corr = itertools.count(1)
        self._acks: list[int] = []
        self._acked: set[int] = set()  # what the application acknowledged (recent ones)
        self._acked_order: deque[int] = deque()
        self._outbox: deque[str] = deque()
        self._wake = asyncio.Event()
        self._ws: Any = None
        self._connected = asyncio.Event()
        self._live = asyncio.Event()
        self._fatal: BaseException | None = None
        self._runner: asyncio.Task | None = None
        self.reconnects = 0

    # lifecycle -------------------------------------------------------------------------
    async def __aenter__(self) -> Stream:
        self._runner = asyncio.create_task(self._run())
        await self._wait(self._connected)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._ws is not None and self._acks:
            with contextlib.suppress(Exception):
                for message in _messages(self._ack_frames()):
                    await self._ws.send(message)
        if self._runner:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        self._queue.put_nowait(_END)
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(Unavailable("stream closed"))

    async def _wait(self, event: asyncio.Event) -> None:
        waiter = asyncio.create_task(event.wait())
        await asyncio.wait({waiter, self._runner}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._fatal:
            raise self._fatal

    async def wait_live(self) -> None:
        """Until the catch-up after the latest (re)connect is done."""
        await self._wait(self._live)

    @property
    def last_seq(self) -> int | None:
        return self._after

    # iteration -------------------------------------------------------------------------
    def __aiter__(self) -> Stream:
        return self

    async def __anext__(self) -> Entry:
        entry = await self._queue.get()
        if entry is _END:
            self._queue.put_nowait(_END)  # every later call ends too
            raise self._fatal or StopAsyncIteration
        self._yielded = max(self._yielded, entry.seq)
        if self.auto_ack:
            self.ack(entry.seq)
        return entry

    def ack(self, *seqs: int) -> None:
        """Acknowledge entries. Batched: one frame carries every ack due."""
        self._acks.extend(seqs)
        for seq in seqs:
            if seq not in self._acked:
                self._acked.add(seq)
                self._acked_order.append(seq)
        while len(self._acked_order) > _REMEMBER_ACKS:
            self._acked.discard(self._acked_order.popleft())
        self._wake.set()

    def _ack_frames(self) -> list[str]:
        seqs, self._acks = self._acks, []
        return [_encode({"op": "ack", "seqs": seqs[i:i + _ACK_CHUNK]}).decode()
                for i in range(0, len(seqs), _ACK_CHUNK)]

    # commands --------------------------------------------------------------------------
    async def submit(self, recipients: list[str], incident: Incident | dict, *,
                     message_id: uuid.UUID | None = None, timeout: float = 30.0) -> Receipt:
        """Send an incident over the socket and wait for the receipt."""
        return await self.submit_nowait(recipients, incident, message_id=message_id,
                                        timeout=timeout)

    def submit_nowait(self, recipients: list[str], incident: Incident | dict, *,
                      message_id: uuid.UUID | None = None,
                      timeout: float = 30.0) -> asyncio.Future[Receipt]:
        """As `submit`, but returns the receipt's future at once, for a gateway that
        pipelines many submissions on one socket."""
        body = {"message_id": message_id or uuid.uuid4(), "recipients": recipients,
                "incident": incident}
        return self._command("submit", {"body": body}, _receipt.decode, timeout)

    async def decide(self, transfer_id: str, decision: str, reason: str | None = None,
                     operator: str | None = None, timeout: float = 30.0) -> TransferView:
        body = {"decision": decision} | ({"reason": reason} if reason else {}) | (
            {"operator": operator} if operator else {})
        return await self._command("decide", {"transfer_id": transfer_id, "body": body},
                                   _transfer.decode, timeout)

    def _frame(self, op: str, corr: str, fields: dict) -> str:
        """The command's frame; with a signing key, "sig" covers the exact bytes of the
        body as they appear in the frame."""
        signer = self._client.signer
        if signer is None or "body" not in fields:
            return _encode({"op": op, "corr": corr, **fields}).decode()
        body = _encode(fields["body"])
        return _encode({"op": op, "corr": corr, **fields, "body": msgspec.Raw(body),
                        "sig": signer.sign(body)}).decode()

    def _command(self, op: str, fields: dict, decode: Any, timeout: float) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        corr = f"{next(self._corr):x}"
        frame = self._frame(op, corr, fields)
        pending = _Pending(frame, loop.create_future(), decode, op, fields)
        if len(frame.encode()) > _MAX_FRAME:  # the hub would close the socket on it, every time
            pending.future.set_exception(HubError(413, {
                "title": "The request body is too large",
                "detail": f"the command is {len(frame.encode())} bytes; the stream takes "
                          f"{_MAX_FRAME}"}))
            return pending.future
        pending.timer = loop.call_later(timeout, self._expire, corr, timeout)
        self._pending[corr] = pending
        if self._ws is not None:
            self._outbox.append(frame)  # else it goes out on reconnect, with the rest
            self._wake.set()
        return pending.future

    def _expire(self, corr: str, timeout: float) -> None:
        pending = self._pending.pop(corr, None)
        if pending is not None and not pending.future.done():
            pending.future.set_exception(Unavailable(
                f"no answer to {pending.op} within {timeout} s; resend with the same "
                "message_id to learn whether it was stored"))

    async def _settle(self, result: _Result) -> None:
        pending = self._pending.pop(result.corr or "", None)
        if pending is None or pending.future.done():
            return
        pending.timer.cancel()
        if result.status < 400:
            pending.future.set_result(pending.decode(result.body))
            return
        problem = msgspec.json.decode(result.body)
        if pending.op == "decide" and result.status == 409 and pending.resent:
            # Our first attempt may have been applied before the connection dropped.
            view = await self._client.transfer(pending.fields["transfer_id"])
            if view.state.value == pending.fields["body"]["decision"]:
                pending.future.set_result(view)
                return
        pending.future.set_exception(HubError(result.status, problem))

    # connection ------------------------------------------------------------------------
    def _url(self, endpoint: str) -> str:
        base = endpoint.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        query = f"?after={self._after}" if self._after is not None else ""
        return f"{base}/v1/stream{query}"

    async def _write(self, ws: Any) -> None:
        """The one task that writes to the socket: acks first, then commands in order.
        Everything due goes in as few messages as the hub's limits allow (a JSON array
        when there is more than one frame)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            frames = self._ack_frames()
            while self._outbox:
                frames.append(self._outbox.popleft())
            for message in _messages(frames):
                await ws.send(message)

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            writer = None
            endpoint = self._client.base_url
            try:
                async with connect(
                    self._url(endpoint),
                    additional_headers={"Authorization": f"Bearer {self._client.token}"},
                    compression=None, max_size=2**24, open_timeout=10,
                    ping_interval=20, ping_timeout=20,
                ) as ws:
                    self._ws = ws
                    backoff = 0.05
                    # Everything unanswered goes again, in the order first sent.
                    self._outbox.clear()
                    for corr, pending in self._pending.items():
                        pending.resent = self.reconnects > 0
                        if pending.resent and self._client.signer is not None:
                            # Signed afresh: the first signature may have aged out.
                            pending.frame = self._frame(pending.op, corr, pending.fields)
                        self._outbox.append(pending.frame)
                    self._wake.set()
                    writer = asyncio.create_task(self._write(ws))
                    self._connected.set()
                    async for raw in ws:
                        await self._on_frame(raw)
            except InvalidStatus as exc:
                if exc.response.status_code in (401, 403):
                    self._fatal = HubError(exc.response.status_code, {
                        "title": "stream refused",
                        "detail": exc.response.body.decode(errors="replace")})
                    self._connected.set()
                    self._queue.put_nowait(_END)
                    return
            except (OSError, ConnectionClosed, TimeoutError, WebSocketException):
                pass
            except Exception as exc:  # a frame we cannot understand: stop, loudly
                self._fatal = exc
                self._connected.set()
                self._queue.put_nowait(_END)
                raise
            finally:
                if writer is not None:
                    writer.cancel()
            self._ws = None
            self._connected.clear()
            self._live.clear()
            self.reconnects += 1
            self._client._fail_over(endpoint)  # the next endpoint, if there are others
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _on_frame(self, raw: str | bytes) -> None:
        if raw[:1] in ("[", b"["):
            for frame in _frame_list.decode(raw):
                await self._on_one(frame)
        else:
            await self._on_one(_frame.decode(raw))

    async def _on_one(self, frame: _Entries | _Live | _Result) -> None:
        if isinstance(frame, _Entries):
            for entry in frame.entries:
                if self._after is not None and entry.seq <= self._after:
                    # A repeat: the hub never recorded our ack. Drop it, and ack again if
                    # the application already acknowledged it.
                    if entry.seq in self._acked:
                        self.ack(entry.seq)
                    continue
                self._after = entry.seq
                self._queue.put_nowait(entry)
        elif isinstance(frame, _Live):
            if self._after is None:
                self._after = frame.after
            self._live.set()
        else:
            await self._settle(frame)


def _messages(frames: list[str]) -> list[str]:
    """Frames joined into messages of at most _MAX_BATCH frames and _MAX_MESSAGE
    characters (a larger frame goes alone), in order."""
    messages: list[str] = []
    group: list[str] = []
    size = 0
    for frame in frames:
        if group and (len(group) == _MAX_BATCH or size + len(frame) + 1 > _MAX_MESSAGE):
            messages.append(group[0] if len(group) == 1 else f"[{','.join(group)}]")
            group, size = [], 0
        group.append(frame)
        size += len(frame) + 1
    if group:
        messages.append(group[0] if len(group) == 1 else f"[{','.join(group)}]")
    return messages
