from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import TYPE_CHECKING, Any

import msgspec
import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bluelight.client._errors import HubError, Unavailable
from bluelight.domain.incident import Incident
from bluelight.domain.transfer import Entry
from bluelight.services.views import Receipt, TransferView

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
_receipt = msgspec.json.Decoder(Receipt)
_transfer = msgspec.json.Decoder(TransferView)


class _Pending:
    __slots__ = ("frame", "future", "decode", "resent")

    def __init__(self, frame: bytes, future: asyncio.Future, decode: Any) -> None:
        self.frame, self.future, self.decode, self.resent = frame, future, decode, False


class Stream:
    """The agency's live mailbox, as an async iterator of `Entry`, that survives
    disconnects.

    It reconnects with backoff and resumes after the last seq it saw; the hub replays
    anything missed and anything whose acknowledgement was lost. Repeats are dropped
    here, so the application sees each entry once (for the life of this object: an
    application that restarts should persist `last_seq` and pass it as `after`).
    With `auto_ack`, each entry is acknowledged as the application takes it."""

    def __init__(self, client: Client, *, after: int | None = None, auto_ack: bool = True,
                 max_backoff: float = 2.0) -> None:
        self._client = client
        self._after = after  # highest seq received
        self._yielded = after if after is not None else 0  # highest seq the app has taken
        self.auto_ack = auto_ack
        self._max_backoff = max_backoff
        self._queue: asyncio.Queue[Entry] = asyncio.Queue()
        self._pending: dict[str, _Pending] = {}
        self._acks: list[int] = []
        self._ack_scheduled = False
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
                await self._flush_acks()
        if self._runner:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
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
        if self._fatal and self._queue.empty():
            raise self._fatal
        getter = asyncio.create_task(self._queue.get())
        done, _ = await asyncio.wait({getter, self._runner}, return_when=asyncio.FIRST_COMPLETED)
        if getter not in done:
            getter.cancel()
            raise self._fatal or StopAsyncIteration
        entry = getter.result()
        self._yielded = max(self._yielded, entry.seq)
        if self.auto_ack:
            self.ack(entry.seq)
        return entry

    def ack(self, *seqs: int) -> None:
        """Acknowledge entries (batched; sent as soon as the socket allows)."""
        self._acks.extend(seqs)
        if not self._ack_scheduled and self._ws is not None:
            self._ack_scheduled = True
            asyncio.get_running_loop().call_soon(
                lambda: asyncio.ensure_future(self._flush_acks()))

    async def _flush_acks(self) -> None:
        self._ack_scheduled = False
        if not self._acks or self._ws is None:
            return
        seqs, self._acks = self._acks, []
        try:
            await self._ws.send(_encode({"op": "ack", "seqs": seqs}).decode())
        except ConnectionClosed:
            self._acks[:0] = seqs  # resent on reconnect; the hub also replays unacked entries

    # commands --------------------------------------------------------------------------
    async def submit(self, recipients: list[str], incident: Incident | dict, *,
                     message_id: uuid.UUID | None = None, timeout: float = 30.0) -> Receipt:
        """Send an incident over the socket. Survives reconnects: the frame is resent with
        the same message_id until the hub answers."""
        if not isinstance(incident, Incident):
            incident = msgspec.convert(incident, Incident)
        body = {"message_id": message_id or uuid.uuid4(), "recipients": recipients,
                "incident": incident}
        return await self._command("submit", {"body": body}, _receipt.decode, timeout)

    async def decide(self, transfer_id: str, decision: str, reason: str | None = None,
                     operator: str | None = None, timeout: float = 30.0) -> TransferView:
        body = {"decision": decision} | ({"reason": reason} if reason else {}) | (
            {"operator": operator} if operator else {})
        return await self._command("decide", {"transfer_id": transfer_id, "body": body},
                                   _transfer.decode, timeout)

    async def _command(self, op: str, fields: dict, decode: Any, timeout: float) -> Any:
        corr = uuid.uuid4().hex
        frame = _encode({"op": op, "corr": corr, **fields})
        pending = _Pending(frame, asyncio.get_running_loop().create_future(), decode)
        pending.decode = (decode, op, fields)
        self._pending[corr] = pending
        if self._ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._ws.send(frame.decode())
        try:
            return await asyncio.wait_for(asyncio.shield(pending.future), timeout)
        except TimeoutError:
            self._pending.pop(corr, None)
            raise Unavailable(f"no answer to {op} within {timeout} s; resend with the same "
                              "message_id to learn whether it was stored") from None

    async def _settle(self, result: _Result) -> None:
        pending = self._pending.pop(result.corr or "", None)
        if pending is None or pending.future.done():
            return
        decode, op, fields = pending.decode
        if result.status < 400:
            pending.future.set_result(decode(result.body))
            return
        problem = msgspec.json.decode(result.body)
        if op == "decide" and result.status == 409 and pending.resent:
            # Our first attempt may have been applied before the connection dropped.
            view = await self._client.transfer(fields["transfer_id"])
            if view.state.value == fields["body"]["decision"]:
                pending.future.set_result(view)
                return
        pending.future.set_exception(HubError(result.status, problem))

    # connection ------------------------------------------------------------------------
    def _url(self) -> str:
        base = self._client.base_url.replace("http://", "ws://", 1).replace(
            "https://", "wss://", 1)
        query = f"?after={self._after}" if self._after is not None else ""
        return f"{base}/v1/stream{query}"

    async def _run(self) -> None:
        backoff = 0.05
        while True:
            try:
                async with connect(
                    self._url(), additional_headers={"Authorization": f"Bearer {self._client.token}"},
                    compression=None, max_size=2**24, open_timeout=10,
                    ping_interval=20, ping_timeout=20,
                ) as ws:
                    self._ws = ws
                    backoff = 0.05
                    self._connected.set()
                    for pending in list(self._pending.values()):
                        pending.resent = True
                        await ws.send(pending.frame.decode())
                    if self._acks:
                        await self._flush_acks()
                    async for raw in ws:
                        await self._on_frame(raw)
            except InvalidStatus as exc:
                if exc.response.status_code in (401, 403):
                    self._fatal = HubError(exc.response.status_code,
                                           {"title": "stream refused",
                                            "detail": exc.response.body.decode(errors="replace")})
                    self._connected.set()
                    return
            except (OSError, ConnectionClosed, TimeoutError, websockets.exceptions.WebSocketException):
                pass
            self._ws = None
            self._connected.clear()
            self._live.clear()
            self.reconnects += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, self._max_backoff)

    async def _on_frame(self, raw: str | bytes) -> None:
        frame = _frame.decode(raw)
        if isinstance(frame, _Entries):
            for entry in frame.entries:
                if self._after is not None and entry.seq <= self._after:
                    # A repeat: the hub never recorded our ack. Drop it, and ack again if
                    # the application already took it.
                    if self.auto_ack and entry.seq <= self._yielded:
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
