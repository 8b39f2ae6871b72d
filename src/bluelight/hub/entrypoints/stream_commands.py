"""Commands a client sends on the stream: decoding them, and running each as its HTTP
endpoint would. A message holds one command, or a JSON array of at most MAX_BATCH."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

import msgspec

from bluelight.hub.domain.commands import (
    Decide,
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)
from bluelight.hub.domain.signature import SignedKind
from bluelight.hub.domain.transfer import Seq
from bluelight.hub.services.hub import Hub
from bluelight.kernel.errors import FieldFault
from bluelight.kernel.problems import ProblemError
from bluelight.kernel.routing import decode

# Commands in one array. The array is decoded before any of it runs, so this bounds the
# work one message can queue (the message size limit alone would allow some 10,000
# acks). The SDK sends at most this many at once.
MAX_BATCH = 100


class InFlight:
    """Commands of one connection running at once: at most `most` of them, holding at
    most `most_bytes` of message between them (a single larger one runs alone). Only the
    connection's reader waits in `enter`."""

    def __init__(self, most: int, most_bytes: int) -> None:
        self.most, self.most_bytes = most, most_bytes
        self.count = self.size = 0
        self._left = asyncio.Event()

    async def enter(self, size: int) -> None:
        while self.count and (self.count >= self.most or self.size + size > self.most_bytes):
            self._left.clear()
            await self._left.wait()
        self.count += 1
        self.size += size

    def leave(self, size: int) -> None:
        self.count -= 1
        self.size -= size
        self._left.set()


class _Cmd(msgspec.Struct, tag_field="op", kw_only=True):
    corr: str | None = None


class AckCmd(_Cmd, tag="ack"):
    # As POST /v1/inbox/acks: at least one, at most 10,000 (the SDK splits larger batches).
    seqs: Annotated[list[Seq], msgspec.Meta(min_length=1, max_length=10_000)]


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


def _too_deep() -> ProblemError:
    # msgspec raises RecursionError past its nesting limit (some thousand levels): a
    # frame of 100,000 nested arrays must be refused, not take the connection down.
    return ProblemError(400, "malformed", "the message nests arrays or objects too deeply",
                        [FieldFault("(body)", "nested too deeply")])


def split(data: bytes) -> list[bytes]:
    """The commands in one message: itself, or the elements of its array. An array of
    more than MAX_BATCH is refused whole (a ProblemError), before any of it runs."""
    if data.lstrip()[:1] != b"[":
        return [data]
    try:
        frames = _frames(data)
    except RecursionError:
        raise _too_deep() from None
    except (msgspec.DecodeError, msgspec.ValidationError):
        return [data]  # a malformed array is handed on whole: decode_command reports it
    if len(frames) > MAX_BATCH:
        raise ProblemError(413, "too-large",
                           f"an array holds at most {MAX_BATCH} commands; this one holds "
                           f"{len(frames)}, and none of them was run",
                           [FieldFault("(body)", f"more than {MAX_BATCH} commands")])
    return [bytes(raw) for raw in frames]


def decode_command(data: bytes) -> Command:
    """Decode a frame. A fault inside the command's body is named as the HTTP endpoint
    names it ("incident.summary", not "body.incident.summary"), as the hub's own checks
    of that body already are."""
    try:
        return decode(_command, data)
    except RecursionError:
        raise _too_deep() from None
    except ProblemError as exc:
        exc.faults = [FieldFault(f.field.removeprefix("body."), f.fault) for f in exc.faults]
        if exc.status == 422 and exc.faults:
            exc.detail = "; ".join(f"{f.field}: {f.fault}" for f in exc.faults)
        raise


class _CorrOnly(msgspec.Struct):
    corr: str | None = None


_corr = msgspec.json.Decoder(_CorrOnly)


def corr_of(data: bytes) -> str | None:
    """The corr id of a frame that is not a valid command, if it has a readable one."""
    with contextlib.suppress(msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return _corr.decode(data).corr
    return None


async def execute(hub: Hub, agency: str, cmd: Command, *, operator: str | None,
                  console: bool) -> tuple[int, Any]:
    if isinstance(cmd, AckCmd):
        return 200, {"acknowledged": await hub.acknowledge(agency, cmd.seqs)}
    decoder, kind = _BODIES[type(cmd)]
    raw = bytes(cmd.body)
    signature = (None if console else
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
            if operator:
                body = msgspec.structs.replace(body, operator=operator)
            return 200, await hub.decide(agency, tid, body, signature=signature)
    return (201 if created else 200), receipt


def _decode_body(decoder: Any, raw: bytes) -> Any:
    """A fault is named as the HTTP endpoint names it ("incident.summary"); a body that
    is not even an object is "body"."""
    try:
        return decode(decoder, raw)
    except RecursionError:
        raise _too_deep() from None
    except ProblemError as exc:
        exc.faults = [FieldFault("body" if f.field == "(body)" else f.field, f.fault)
                      for f in exc.faults]
        raise
