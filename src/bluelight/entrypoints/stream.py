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
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

import msgspec
import structlog
from starlette.websockets import WebSocket, WebSocketDisconnect

from bluelight.adapters.delivery.inprocess import InProcessDelivery
from bluelight.adapters.storage.sqlite_store import StorageUnavailable
from bluelight.domain.agency import MessageFormat
from bluelight.domain.commands import (
    Decide,
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)
from bluelight.domain.errors import DomainError, FieldFault
from bluelight.domain.signature import SignedKind
from bluelight.domain.transfer import Entry, Seq
from bluelight.entrypoints import problems, tls
from bluelight.entrypoints.problems import ProblemError
from bluelight.entrypoints.routing import actor_of, bearer_token, decode, identify
from bluelight.services import audit
from bluelight.services.credentials import split as split_token
from bluelight.services.hub import Hub

log = structlog.get_logger(__name__)
BACKLOG_PAGE = 1000
# WebSocket close codes in the private range: 4000 + the HTTP status they echo.
CLOSE_CATCH_UP = 4429  # too slow to keep up live: reconnect and catch up from the mailbox
OUTBOX_LIMIT = 10_000  # frames queued for a client that does not read


class _Cmd(msgspec.Struct, tag_field="op", kw_only=True):
    corr: str | None = None


class AckCmd(_Cmd, tag="ack"):
    # At least one, as POST /v1/inbox/acks. No upper bound here: the client batches the
    # acks it owes after a reconnect into one frame.
    seqs: Annotated[list[Seq], msgspec.Meta(min_length=1)]


class _SignedCmd(_Cmd, kw_only=True):
    # The body stays raw until its signature has been checked over its exact bytes.
    body: msgspec.Raw
    sig: str | None = None


class SubmitCmd(_SignedCmd, tag="submit"):
    pass


class UpdateCmd(_SignedCmd, kw_only=True, tag="update"):
    reference: str


class ClosureCmd(_SignedCmd, kw_only=True, tag="closure"):
    reference: str


class CancellationCmd(_SignedCmd, kw_only=True, tag="cancellation"):
    reference: str


class DecideCmd(_SignedCmd, kw_only=True, tag="decide"):
    transfer_id: str


# What each command's body is, and what its signature is said to cover.
_BODIES = {
    SubmitCmd: (msgspec.json.Decoder(SubmitIncident), SignedKind.INCIDENT),
    UpdateCmd: (msgspec.json.Decoder(SubmitUpdate), SignedKind.UPDATE),
    ClosureCmd: (msgspec.json.Decoder(SubmitClosure), SignedKind.CLOSURE),
    CancellationCmd: (msgspec.json.Decoder(SubmitCancellation), SignedKind.CANCELLATION),
    DecideCmd: (msgspec.json.Decoder(Decide), SignedKind.DECISION),
}


Command = AckCmd | SubmitCmd | UpdateCmd | ClosureCmd | CancellationCmd | DecideCmd
_command = msgspec.json.Decoder(Command)
_frames = msgspec.json.Decoder(list[msgspec.Raw]).decode


def _decode_command(data: bytes) -> Command:
    """Decode a frame. A fault inside the command's body is named as the HTTP endpoint
    names it ("incident.summary", not "body.incident.summary"), as the hub's own checks
    of that body already are."""
    try:
        return decode(_command, data)
    except ProblemError as exc:
        exc.faults = [FieldFault(f.field.removeprefix("body."), f.fault) for f in exc.faults]
        if exc.status == 422 and exc.faults:
            exc.detail = "; ".join(f"{f.field}: {f.fault}" for f in exc.faults)
        raise


class _CorrOnly(msgspec.Struct):
    corr: str | None = None


_corr = msgspec.json.Decoder(_CorrOnly)


class EntriesFrame(msgspec.Struct, tag_field="op", tag="entries"):
    entries: list[Entry]


class LiveFrame(msgspec.Struct, tag_field="op", tag="live"):
    after: int


class ResultFrame(msgspec.Struct, tag_field="op", tag="result", omit_defaults=True):
    status: int
    body: Any
    corr: str | None = None


_encode = msgspec.json.Encoder().encode


async def stream_endpoint(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.hub
    delivery: InProcessDelivery = websocket.app.state.delivery
    try:
        identity = await identify(hub, websocket.headers, scope=websocket.scope)
        if identity.session is not None:
            _check_origin(websocket)
        agency = identity.agency
        raw_after = websocket.query_params.get("after")
        after = None
        if raw_after is not None:
            if not raw_after.isdigit():
                raise ProblemError(422, "invalid", "after must be a non-negative integer",
                                   [problems.FieldFault("query.after", "not an integer")])
            after = int(raw_after)
        requested = websocket.query_params.get("format")
        if requested is not None and requested not in {f.value for f in MessageFormat}:
            raise ProblemError(422, "invalid", f"unknown format {requested!r}",
                               [problems.FieldFault("query.format", "unknown format")])
    except ProblemError as exc:
        p = problems.problem(exc.status, exc.kind, exc.detail, exc.faults, websocket.url.path)
        await websocket.send_denial_response(problems.response(p, exc.headers))
        return
    await websocket.accept()
    # This task serves one caller: commands it runs and its reads are audited as theirs.
    audit.set_actor(actor_of(identity))
    await hub.mailbox_read(agency, "stream.opened", [])
    metrics = getattr(websocket.app.state, "metrics", None)
    if metrics:
        metrics.session_opened()
    token = bearer_token(websocket.headers)
    parts = split_token(token) if token else None
    try:
        fmt = websocket.query_params.get("format") or await hub.format_of(agency)
        session = StreamSession(websocket, hub, delivery, agency, identity.operator, fmt)
        session.credential = parts[0] if parts else None
        session.console = identity.session is not None
        pem = tls.client_cert_pem(websocket.scope)
        session.certificate_serial = tls.certificate_facts(pem)[1] if pem else None
        live = websocket.app.state.streams
        live.add(session)
        try:
            await session.run(after)
        finally:
            live.discard(session)
    finally:
        if metrics:
            metrics.session_closed()


def _check_origin(websocket: WebSocket) -> None:
    """Browsers send cookies on cross-site WebSocket handshakes: a page elsewhere must not
    ride on an operator's session (cross-site WebSocket hijacking)."""
    origin = websocket.headers.get("origin", "")
    host = websocket.headers.get("host", "")
    if not origin or origin.split("://", 1)[-1] != host:
        raise ProblemError(403, "forbidden", "the console stream is only for pages of this hub",
                           [problems.FieldFault("header.origin", "not this hub")])


class StreamSession:
    def __init__(self, ws: WebSocket, hub: Hub, delivery: InProcessDelivery, agency: str,
                 operator: str | None = None, format_: str = "bluelight"):
        self.ws, self.hub, self.delivery, self.agency = ws, hub, delivery, agency
        self.operator = operator
        self.format = format_  # the agency's own standard: entries also come in it
        self.credential: str | None = None  # key id of the token it authenticated with
        self.certificate_serial: int | None = None  # or of its client certificate
        self.console = False  # an operator's console session: it signs nothing
        self._tasks: set[asyncio.Task] = set()
        self._out: list[bytes] = []
        self._out_ready = asyncio.Event()

    def _post(self, frame: msgspec.Struct) -> None:
        """Queue a frame for the writer task."""
        self._out.append(_encode(frame))
        self._out_ready.set()

    async def _write(self) -> None:
        """The only task that writes to the socket. Frames queued while it was writing go
        out together as one JSON array: under load, one write carries many results and
        entries instead of one each."""
        while True:
            await self._out_ready.wait()
            self._out_ready.clear()
            while self._out:
                frames, self._out = self._out, []
                data = frames[0] if len(frames) == 1 else b"[" + b",".join(frames) + b"]"
                await self.ws.send_text(data.decode())

    async def run(self, after: int | None) -> None:
        # Subscribe before reading the backlog, so nothing committed in between is missed;
        # repeats are dropped by seq below.
        sub = self.delivery.subscribe(self.agency)
        writer = asyncio.create_task(self._write())
        pusher = asyncio.create_task(self._push(sub, after))
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                data = message.get("bytes") or (message.get("text") or "").encode()
                self._dispatch(data)
                if pusher.done() or writer.done():
                    break
        except WebSocketDisconnect:
            pass
        finally:
            pusher.cancel()
            writer.cancel()
            for task in list(self._tasks):
                task.cancel()
            self.delivery.unsubscribe(sub)

    async def _push(self, sub, after: int | None) -> None:
        try:
            page = await self.hub.inbox(self.agency, after, BACKLOG_PAGE)
            cursor = page.next_after
            if page.entries:
                self._post(EntriesFrame(self.hub.render(page.entries, self.format)))
            while len(page.entries) == BACKLOG_PAGE:
                entries = await self.hub.entries(self.agency, cursor, BACKLOG_PAGE)
                page.entries = entries
                if entries:
                    cursor = entries[-1].seq
                    self._post(EntriesFrame(self.hub.render(entries, self.format)))
            self._post(LiveFrame(cursor))
            while True:
                batch = await sub.next_batch()
                if sub.overflowed or len(self._out) > OUTBOX_LIMIT:
                    await self.ws.close(CLOSE_CATCH_UP, "too far behind: reconnect to catch up")
                    return
                fresh = [e for e in batch if e.seq > cursor]
                if fresh:
                    cursor = fresh[-1].seq
                    self._post(EntriesFrame(self.hub.render(fresh, self.format)))
        except asyncio.CancelledError:
            raise
        except Exception:
            # The mailbox keeps everything: the client reconnects and resumes.
            log.exception("stream push failed", agency=self.agency)
            with contextlib.suppress(Exception):
                await self.ws.close(1011, "push failed: reconnect to resume")

    def _dispatch(self, data: bytes) -> None:
        """One task per command, started in arrival order (so submissions reach the store
        in the order sent). A JSON array carries several commands."""
        frames = [data]
        if data.lstrip()[:1] == b"[":
            # A malformed array is handed on whole: _handle reports it.
            with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                frames = [bytes(raw) for raw in _frames(data)]
        for frame in frames:
            task = asyncio.create_task(self._handle(frame))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _handle(self, data: bytes) -> None:
        corr = None
        try:
            try:
                cmd = _decode_command(data)
            except ProblemError:
                # Answer a malformed command under its corr id, if it has a readable one.
                with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError):
                    corr = _corr.decode(data).corr
                raise
            corr = cmd.corr
            status, body = await self._execute(cmd)
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
            self._post(ResultFrame(status=status, body=body, corr=corr))

    async def _execute(self, cmd: Command) -> tuple[int, Any]:
        hub, agency = self.hub, self.agency
        if isinstance(cmd, AckCmd):
            return 200, {"acknowledged": await hub.acknowledge(agency, cmd.seqs)}
        decoder, kind = _BODIES[type(cmd)]
        raw = bytes(cmd.body)
        signature = (None if self.console else
                     await hub.check_signature(agency, kind, cmd.sig, raw, "sig"))
        body = _decode_body(decoder, raw)
        match cmd:
            case SubmitCmd():
                receipt, created = await hub.submit_incident(agency, body, signature=signature)
            case UpdateCmd(reference=ref):
                receipt, created = await hub.submit_update(agency, ref, body,
                                                           signature=signature)
            case ClosureCmd(reference=ref):
                receipt, created = await hub.submit_closure(agency, ref, body,
                                                            signature=signature)
            case CancellationCmd(reference=ref):
                receipt, created = await hub.submit_cancellation(agency, ref, body,
                                                                 signature=signature)
            case DecideCmd(transfer_id=tid):
                if self.operator:
                    body = msgspec.structs.replace(body, operator=self.operator)
                return 200, await hub.decide(agency, tid, body, signature=signature)
        return (201 if created else 200), receipt


def _decode_body(decoder: Any, raw: bytes) -> Any:
    """A fault is named as the HTTP endpoint names it ("incident.summary"); a body that
    is not even an object is "body"."""
    try:
        return decode(decoder, raw)
    except ProblemError as exc:
        exc.faults = [FieldFault("body" if f.field == "(body)" else f.field, f.fault)
                      for f in exc.faults]
        raise
