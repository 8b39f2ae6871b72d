"""The WebSocket stream: pushes an agency's mailbox, and takes commands.

On connect the client gives `after` (the last seq it saw). The hub first replays what it
missed (and anything it never acknowledged), then pushes live entries as they commit, in
seq order. The client may also send commands on the same socket (submit, ack, decide...),
each answered with a result frame carrying the client's `corr` id; this is the low-latency
path a CAD gateway uses. Every command means exactly what the HTTP endpoint of the same
name means.

Frames (JSON text). Either side may send a JSON array of frames instead of one frame;
under load the hub coalesces what it has queued that way.
  hub -> client  {"op":"entries","entries":[Entry...]}
                 {"op":"live","after":N}          catch-up done, live from here
                 {"op":"result","corr":"...","status":201,"body":{...}}
  client -> hub  {"op":"ack","seqs":[...]}         (add "corr" to get a result)
                 {"op":"submit","corr":"...","body":SubmitIncident}
                 {"op":"update"|"closure"|"cancellation","corr":"...","reference":"...","body":{...}}
                 {"op":"decide","corr":"...","transfer_id":"...","body":Decide}
A command other than ack may carry "sig": a JWS with a detached payload over the exact
bytes of its "body" member (required of an agency with a signing key).

Limits, so that no client can make the hub hold more than a bounded amount for it: a
message is at most `max_body_bytes` (uvicorn's ws_max_size: larger closes with 1009), an
array at most MAX_BATCH commands, MAX_IN_FLIGHT of them running, everything outgoing in
one bounded outbox (stream_writer), and a client whose writes stall is cut off.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

import msgspec
import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from bluelight.hub.domain.agency import MessageFormat
from bluelight.hub.domain.transfer import SEQ_MAX, Entry
from bluelight.hub.entrypoints.gate import HubGate
from bluelight.hub.entrypoints.stream_commands import (
    InFlight,
    corr_of,
    decode_command,
    execute,
    split,
)
from bluelight.hub.entrypoints.stream_writer import LIMIT, LOW_WATER, Writer, entries_frames
from bluelight.hub.services import audit
from bluelight.hub.services.credentials import split as split_token
from bluelight.hub.services.hub import Hub
from bluelight.hub.services.ports import Delivery, Subscription
from bluelight.hub.services.views import Inbox
from bluelight.kernel import problems
from bluelight.kernel.errors import DomainError, StorageUnavailable
from bluelight.kernel.problems import ProblemError
from bluelight.kernel.routing import actor_of, bearer_token, identify

log = structlog.get_logger(__name__)
# Entries in one read of the mailbox during catch-up, and taken at once from the live
# queue. The next page is read only once the outbox is down to LOW_WATER.
PAGE = 200
# Commands of one connection running at once, and the bytes they may hold between them.
# At the limit the hub stops reading the socket (uvicorn then stops reading TCP, and the
# client's sends block): back-pressure instead of a task, and a result, per command
# however fast they come.
MAX_IN_FLIGHT = 100
MAX_IN_FLIGHT_BYTES = 1024 * 1024
# With a cross-node delivery, a session that has had no live entry for this long reads
# the store for any after its cursor: an entry whose node died between COMMIT and
# publishing is pushed this late, not lost (decision 0026).
SWEEP_S = 1.0
# WebSocket close codes in the private range: 4000 + the HTTP status they echo.
CLOSE_CATCH_UP = 4429  # too slow to keep up live: reconnect and catch up from the mailbox
_AFTER = re.compile(r"[0-9]{1,19}")  # ASCII digits only, and no more than a seq can have


class LiveFrame(msgspec.Struct, tag_field="op", tag="live"):
    after: int


class ResultFrame(msgspec.Struct, tag_field="op", tag="result", omit_defaults=True):
    status: int
    body: Any
    corr: str | None = None


_encode = msgspec.json.Encoder().encode


class SessionMetrics(Protocol):
    """Counts open stream sessions (the Prometheus adapter)."""

    def session_opened(self) -> None: ...
    def session_closed(self) -> None: ...


@dataclass
class Streams:
    """The stream endpoint and what it works with, handed over by the application that
    mounts it (`routes`), so that nothing is looked up on `app.state`."""

    hub: Hub  # its delivery port feeds the sessions
    gate: HubGate
    write_deadline: float = 20.0  # the stream_write_timeout_s setting
    sweep_s: float = SWEEP_S  # idle sessions read the store this often (cross-node only)
    metrics: SessionMetrics | None = None
    # The open sessions: the application closes those whose credential is revoked.
    live: set[StreamSession] = field(default_factory=set)

    def routes(self) -> list[BaseRoute]:
        return [WebSocketRoute("/v1/stream", self.endpoint),
                Route("/v1/stream", self.upgrade_required)]  # the path without the upgrade

    async def endpoint(self, websocket: WebSocket) -> None:
        hub, metrics = self.hub, self.metrics
        try:
            identity = await identify(self.gate, websocket.headers, scope=websocket.scope)
            if identity.session is not None:
                _check_origin(websocket)
            agency = identity.agency
            after = _after(websocket.query_params.get("after"))
            _check_format(websocket.query_params.get("format"))
        except ProblemError as exc:
            p = problems.problem(exc.status, exc.kind, exc.detail, exc.faults,
                                 websocket.url.path)
            await websocket.send_denial_response(problems.response(p, exc.headers))
            return
        await websocket.accept()
        # This task serves one caller: commands it runs and its reads are audited as theirs.
        audit.set_actor(actor_of(identity))
        await hub.mailbox_read(agency, "stream.opened", [])
        if metrics:
            metrics.session_opened()
        token = bearer_token(websocket.headers)
        parts = split_token(token) if token else None
        try:
            fmt = websocket.query_params.get("format") or await hub.format_of(agency)
            session = StreamSession(websocket, hub, hub.delivery, agency, identity.operator,
                                    fmt, write_deadline=self.write_deadline,
                                    sweep_s=self.sweep_s)
            session.credential = parts[0] if parts else None
            session.console = identity.session is not None
            session.certificate_serial = self.gate.certificate_serial(websocket.scope)
            self.live.add(session)
            try:
                await session.run(after)
            finally:
                self.live.discard(session)
        finally:
            if metrics:
                metrics.session_closed()

    async def upgrade_required(self, request: Request) -> Response:
        """GET /v1/stream without a WebSocket upgrade: the same 401 as the stream gives
        an unknown caller, else a 426 naming what is missing."""
        try:
            await identify(self.gate, request.headers, scope=request.scope)
            # The query is checked as the handshake checks it: a bad one is a 422 either way.
            _after(request.query_params.get("after"))
            _check_format(request.query_params.get("format"))
            raise ProblemError(426, "upgrade-required",
                               "/v1/stream is a WebSocket: send a WebSocket upgrade request",
                               [problems.FieldFault("header.upgrade", "must be websocket")],
                               headers={"Upgrade": "websocket", "Connection": "Upgrade"})
        except ProblemError as exc:
            p = problems.problem(exc.status, exc.kind, exc.detail, exc.faults, request.url.path)
            return problems.response(p, exc.headers)


def _after(raw: str | None) -> int | None:
    """The `after` query parameter: a seq. Checked by hand, as int() would take "²" or
    a number too large for the store (and refuse one of more than 4,300 digits)."""
    if raw is None:
        return None
    if not _AFTER.fullmatch(raw) or int(raw) > SEQ_MAX:
        raise ProblemError(422, "invalid", f"after must be an integer from 0 to {SEQ_MAX}",
                           [problems.FieldFault("query.after", "not a seq")])
    return int(raw)


def _check_format(requested: str | None) -> None:
    if requested is not None and requested not in {f.value for f in MessageFormat}:
        raise ProblemError(422, "invalid", f"unknown format {requested!r}",
                           [problems.FieldFault("query.format", "unknown format")])


def _check_origin(websocket: WebSocket) -> None:
    """Browsers send cookies on cross-site WebSocket handshakes: a page elsewhere must not
    ride on an operator's session (cross-site WebSocket hijacking)."""
    origin = websocket.headers.get("origin", "")
    host = websocket.headers.get("host", "")
    if not origin or origin.split("://", 1)[-1] != host:
        raise ProblemError(403, "forbidden", "the console stream is only for pages of this hub",
                           [problems.FieldFault("header.origin", "not this hub")])


class StreamSession:
    """One connection: a reader (commands in), a pusher (catch-up, then live entries) and
    the writer (everything out). The session ends when the reader or the writer does."""

    def __init__(self, ws: WebSocket, hub: Hub, delivery: Delivery, agency: str,
                 operator: str | None = None, format_: str = "bluelight", *,
                 write_deadline: float = 20.0, sweep_s: float = SWEEP_S):
        self.ws, self.hub, self.delivery, self.agency = ws, hub, delivery, agency
        self.sweep_s = sweep_s  # with a cross-node delivery: read the store when idle
        self.operator = operator
        self.format = format_  # the agency's own standard: entries also come in it
        self.credential: str | None = None  # key id of the token it authenticated with
        self.certificate_serial: int | None = None  # or of its client certificate
        self.console = False  # an operator's console session: it signs nothing
        self.writer = Writer(ws, write_deadline)
        self._running = InFlight(MAX_IN_FLIGHT, MAX_IN_FLIGHT_BYTES)
        self._tasks: set[asyncio.Task] = set()

    def close(self, code: int, reason: str) -> None:
        """Ask for the connection to be closed; returns at once (the writer closes it, or
        cuts the client off if even the close frame cannot be written in time)."""
        self.writer.close(code, reason)

    async def _post(self, frame: msgspec.Struct, room: int = LIMIT) -> None:
        """Queue a frame for the writer once the outbox is down to `room` bytes."""
        await self.writer.outbox.below(room)
        self.writer.outbox.put(_encode(frame))

    async def _post_entries(self, entries: list[Entry]) -> None:
        """Queue entries (with their copy in the agency's standard) in frames of at most
        FRAME_BYTES, each once the outbox is down to LOW_WATER."""
        encoded = [_encode(e) for e in self.hub.render(entries, self.format)]
        for frame in entries_frames(encoded):
            await self.writer.outbox.below(LOW_WATER)
            self.writer.outbox.put(frame)

    async def run(self, after: int | None) -> None:
        # Subscribe before reading the backlog, so nothing committed in between is missed;
        # repeats are dropped by seq below.
        sub = self.delivery.subscribe(self.agency)
        ends = {asyncio.create_task(self._read()), asyncio.create_task(self.writer.run())}
        pusher = asyncio.create_task(self._push(sub, after))
        try:
            await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*ends, pusher):
                task.cancel()
            self.delivery.unsubscribe(sub)
            self.writer.outbox.close()
            self.writer.linger()
            # Commands already taken are carried out, their results dropped: the acks a
            # client sends just before it closes must count. The reader has stopped, so
            # there are at most MAX_IN_FLIGHT, and each is one store job.
            commands = set(self._tasks)
            if commands:
                await asyncio.wait(commands, timeout=self.writer.deadline)
            for task in commands:
                task.cancel()
            everything = [*ends, pusher, *commands]
            for result in await asyncio.gather(*everything, return_exceptions=True):
                if isinstance(result, Exception):
                    log.error("stream task failed", agency=self.agency,
                              exc_info=(type(result), result, result.__traceback__))

    async def _read(self) -> None:
        """Take commands, in order, while fewer than MAX_IN_FLIGHT are running."""
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("bytes") or (message.get("text") or "").encode()
                try:
                    commands = split(data)
                except ProblemError as exc:
                    await self._post(ResultFrame(status=exc.status, body=problems.problem(
                        exc.status, exc.kind, exc.detail, exc.faults)))
                    continue
                for command in commands:
                    # Tasks start in arrival order (so submissions reach the store in the
                    # order sent); waiting here is what stops reading the socket.
                    await self._running.enter(len(command))
                    task = asyncio.create_task(self._handle(command))
                    self._tasks.add(task)
                    task.add_done_callback(partial(self._finished, len(command)))
        except WebSocketDisconnect:
            return

    def _finished(self, size: int, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        self._running.leave(size)

    async def _push(self, sub: Subscription, after: int | None) -> None:
        # Entries from other hub nodes may come late or never (decision 0026): when
        # nothing live comes for sweep_s, read the store for anything after the cursor.
        sweep = self.sweep_s if self.delivery.cross_node else None
        try:
            cursor = await self._catch_up(after)
            await self._post(LiveFrame(cursor), LOW_WATER)
            while True:
                try:
                    async with asyncio.timeout(sweep):
                        batch = await sub.next_batch(PAGE)
                except TimeoutError:
                    cursor = await self._fill(cursor)
                    continue
                if sub.overflowed:
                    self.close(CLOSE_CATCH_UP, "too far behind: reconnect to catch up")
                    return
                fresh = [e for e in batch if e.seq > cursor]
                if fresh and fresh[-1].seq != cursor + len(fresh):
                    # A gap (seqs are gap-free, and a subscription's only increase): an
                    # entry between came late and was dropped, or was never published.
                    # The store has it: it was committed before the entries after it.
                    cursor = await self._fill(cursor, fresh[-1].seq)
                    fresh = [e for e in fresh if e.seq > cursor]
                if fresh:
                    cursor = fresh[-1].seq
                    # While the client lags, entries wait in the subscription (bounded;
                    # overflow is the 4429 above), not here as encoded frames.
                    await self._post_entries(fresh)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The mailbox keeps everything: the client reconnects and resumes.
            log.exception("stream push failed", agency=self.agency)
            self.close(1011, "push failed: reconnect to resume")

    async def _fill(self, cursor: int, upto: int | None = None) -> int:
        """Send from the store the entries after `cursor`: up to `upto` at least, or every
        one there is; return the new cursor. Paged as catch-up is."""
        async for entries in self._pages(
                lambda seq: self.hub.entries(self.agency, seq, PAGE), cursor, upto):
            cursor = entries[-1].seq
            await self._post_entries(entries)
        return cursor

    async def _catch_up(self, after: int | None) -> int:
        """Send the backlog; return where the live push continues from."""
        page = await self.hub.inbox(self.agency, after, PAGE)
        cursor = page.next_after
        async for entries in self._backlog(page):
            cursor = max(cursor, entries[-1].seq)
            await self._post_entries(entries)
        return cursor

    async def _backlog(self, page: Inbox) -> AsyncIterator[list[Entry]]:
        """The backlog a page at a time. The first page (as GET /v1/inbox gives it) holds
        the entries never acknowledged at or below the start point, then newer ones. If
        it holds only old ones, the rest of those follow, then everything newer."""
        start, entries = page.next_after, page.entries
        if entries:
            yield entries
        if len(entries) < PAGE:
            return
        last = entries[-1].seq
        if last < start:
            async for entries in self._pages(
                    lambda seq: self.hub.unacked(self.agency, seq, start, PAGE), last):
                yield entries
            last = start
        async for entries in self._pages(
                lambda seq: self.hub.entries(self.agency, seq, PAGE), last):
            yield entries

    async def _pages(self, read: Callable[[int], Awaitable[list[Entry]]], last: int,
                     upto: int | None = None) -> AsyncIterator[list[Entry]]:
        """Pages read after `last` until a short one (or one reaching `upto`), each read
        only once the outbox is down to LOW_WATER: catch-up holds at most a page beyond
        that per connection."""
        while True:
            await self.writer.outbox.below(LOW_WATER)
            entries = await read(last)
            if entries:
                yield entries
                last = entries[-1].seq
            if len(entries) < PAGE or (upto is not None and last >= upto):
                return

    async def _handle(self, data: bytes) -> None:
        corr = None
        try:
            try:
                cmd = decode_command(data)
            except ProblemError:
                corr = corr_of(data)  # answer a malformed command under its corr id
                raise
            corr = cmd.corr
            status, body = await execute(self.hub, self.agency, cmd,
                                         operator=self.operator, console=self.console)
        except ProblemError as exc:
            status = exc.status
            body = problems.problem(exc.status, exc.kind, exc.detail, exc.faults)
        except DomainError as exc:
            status, body = exc.status, problems.from_domain(exc)
        except StorageUnavailable as exc:
            status, body = 503, problems.problem(503, "storage-unavailable", str(exc))
        except Exception:
            log.exception("stream command failed", agency=self.agency)
            status, body = 500, problems.problem(500, "internal", None)
        if corr is not None or status >= 400:
            # Done, committed: only its result waits for room in the outbox. A slot stays
            # taken meanwhile, so a client that does not read soon stops being read.
            await self._post(ResultFrame(status=status, body=body, corr=corr))
