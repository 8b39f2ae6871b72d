"""A small declarative layer over Starlette routes: each endpoint states its body and
response types once, and the same declaration drives validation, authentication,
problem responses and the OpenAPI document.

An `Api[C]` hands its handlers a `Call[C]` whose `ctx` is the object the API was mounted
with (the hub's own API gets the `Hub`), so a handler is typed from the request to the
use case it calls. Who is calling is decided here, from what a `Gate` (implemented by
the product that issues the credentials) says each credential is worth."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

import msgspec
import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Scope

from bluelight.kernel import problems
from bluelight.kernel.errors import DomainError, FieldFault, StorageUnavailable
from bluelight.kernel.json_keys import first_duplicate
from bluelight.kernel.problems import ProblemError

log = structlog.get_logger(__name__)
_encode = msgspec.json.Encoder().encode
C = TypeVar("C")


@dataclass(frozen=True)
class Param:
    name: str
    type: Any
    description: str
    default: Any = None


class OperatorSession(Protocol):
    """A console operator's signed-in session, as far as routing looks into it."""

    @property
    def agency(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class Identity:
    """Who is calling: an agency's system (bearer token or client certificate), or one of
    its operators signed in to the console (session cookie)."""

    agency: str
    operator: str | None = None
    session: OperatorSession | None = None


class Gate(Protocol):
    """What routing asks of the product that issues the credentials: what each one is
    worth. The rules that combine them (which one wins, which must agree, when the CSRF
    header is needed) stay in `identify`, the same for every API mounted with a gate."""

    async def authenticate(self, token: str) -> str | None:
        """The agency a bearer token is for; None for an unknown or revoked one."""
        ...

    async def session(self, cookie: str) -> OperatorSession | None:
        """The live console session a session cookie stands for, if any."""
        ...

    def csrf_ok(self, session: OperatorSession, presented: str | None) -> bool:
        """Whether a request that changes something carries the session's CSRF token."""
        ...

    async def certificate_agency(self, scope: Scope) -> str | None:
        """The agency of the connection's verified client certificate (mutual TLS); None
        when it presented none. Raises a 401 (`unauthenticated`) for one that must not
        pass."""
        ...

    async def check_signature(self, agency: str, kind: Any, signature: str | None,
                              payload: bytes, field: str) -> Any:
        """The verified signature over a body's exact bytes, handed on to the handler."""
        ...

    def acting(self, actor: str) -> AbstractContextManager[None]:
        """What the handler does, attributed to `actor` (for the audit log)."""
        ...


@dataclass
class Call(Generic[C]):
    """What a handler gets: the context its API was mounted with, the authenticated
    agency, path and query values and the decoded body."""

    request: Request
    ctx: C
    agency: str | None
    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    operator: str | None = None  # the signed-in operator's name, for console calls
    signature: Any = None  # the body's verified signature (SignatureRecord), to keep


Handler = Callable[[Call[C]], Awaitable[Any]]


@dataclass
class Endpoint(Generic[C]):
    method: str
    path: str
    handler: Handler[C]
    summary: str
    tag: str
    body: type | None = None
    ok: int = 200
    response: Any = None
    query: tuple[Param, ...] = ()
    auth: bool = True
    role: str | None = None  # "admin": only an administrator's console session may call it
    raw_body: bool = False  # the handler gets the body's bytes (a document in any format)
    signed: Any = None  # a SignedKind: the body is signed by the sender's key (X-JWS-Signature)
    errors: tuple[int, ...] = ()
    error_titles: dict[int, str] = field(default_factory=dict)  # where a status means more
    description: str = ""
    decoder: Any = field(default=None, repr=False)
    query_decoders: dict = field(default_factory=dict, repr=False)


class Result:
    """A handler returns a plain value (sent with the endpoint's `ok` status) or a
    Result when the status depends on the outcome (201 created vs 200 replayed)."""

    __slots__ = ("status", "value")

    def __init__(self, status: int, value: Any) -> None:
        self.status, self.value = status, value


class Api(Generic[C]):
    def __init__(self) -> None:
        self.endpoints: list[Endpoint[C]] = []

    def route(self, method: str, path: str, **kw: Any
              ) -> Callable[[Handler[C]], Handler[C]]:
        def register(fn: Handler[C]) -> Handler[C]:
            endpoint = Endpoint(method=method, path=path, handler=fn, **kw)
            if endpoint.body is not None:
                endpoint.decoder = msgspec.json.Decoder(endpoint.body)
            endpoint.query_decoders = {p.name: p for p in endpoint.query}
            self.endpoints.append(endpoint)
            return fn

        return register

    def starlette_routes(self, ctx: C, gate: Gate, max_body_bytes: int) -> list[Route]:
        """The endpoints as routes: handlers get `ctx`, callers are told apart by `gate`."""
        return [
            Route(e.path, _asgi_handler(e, ctx, gate, max_body_bytes), methods=[e.method])
            for e in self.endpoints
        ]


def bearer_token(request_headers) -> str | None:
    value = request_headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


SESSION_COOKIE = "bl_session"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_token(headers) -> str | None:
    from http.cookies import CookieError, SimpleCookie

    raw = headers.get("cookie")
    if not raw:
        return None
    try:
        morsel = SimpleCookie(raw).get(SESSION_COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel else None


def unauthenticated(detail: str) -> ProblemError:
    """A 401 for a credential that was presented but does not pass."""
    return ProblemError(401, "unauthenticated", detail,
                        headers={"WWW-Authenticate": 'Bearer realm="bluelight"'})


async def identify(gate: Gate, headers, method: str = "GET",
                   scope: Scope | None = None) -> Identity:
    """Who is calling. `scope` (the ASGI scope) carries the TLS client certificate, if
    any: it identifies the agency on its own, and a bearer token sent with it must be
    the same agency's."""
    cert_agency = await gate.certificate_agency(scope) if scope is not None else None
    token = bearer_token(headers)
    if token:
        agency = await gate.authenticate(token)
        if agency is not None and cert_agency is not None and agency != cert_agency:
            raise unauthenticated("the bearer token is not for the client certificate's "
                                  "agency")
        if agency is not None:
            return Identity(agency)
        if cert_agency is not None:
            raise unauthenticated("the bearer token is not valid")
    elif (cookie := session_token(headers)) and (session := await gate.session(cookie)):
        if cert_agency is not None and session.agency != cert_agency:
            raise unauthenticated("the console session is not for the client certificate's "
                                  "agency")
        if method not in _SAFE_METHODS and not gate.csrf_ok(session,
                                                            headers.get("x-csrf-token")):
            raise ProblemError(403, "forbidden", "a console request that changes anything "
                               "needs the session's X-CSRF-Token header",
                               [FieldFault("header.x-csrf-token", "missing or wrong")])
        return Identity(session.agency, session.name, session)
    if cert_agency is not None:
        return Identity(cert_agency)
    raise ProblemError(401, "unauthenticated",
                       "send 'Authorization: Bearer <agency token>' with a valid token, "
                       "or sign in to the console",
                       headers={"WWW-Authenticate": 'Bearer realm="bluelight"'})


def actor_of(identity: Identity) -> str:
    """How the audit log names a caller: the agency's system, or agency/operator."""
    if identity.session is not None:
        return f"{identity.agency}/{identity.session.username}"
    return identity.agency


def require_role(identity: Identity | None, role: str) -> None:
    """Administration is done by people: only a console session of an operator with
    the role. An agency's own credentials (token, certificate) never carry it."""
    session = identity.session if identity else None
    if session is None or session.role != role:
        raise ProblemError(403, "forbidden", f"this needs the {role} role, which only a "
                           "signed-in administrator has")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProblemError(413, "too-large", f"the body is {declared} bytes; the limit is {limit}",
                           [FieldFault("(body)", f"larger than the limit of {limit} bytes")])
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProblemError(413, "too-large", f"the body exceeds the limit of {limit} bytes",
                               [FieldFault("(body)", f"larger than the limit of {limit} bytes")])
        chunks.append(chunk)
    return b"".join(chunks)


def decode(decoder: Any, raw: bytes, *, check_keys: bool = True) -> Any:
    """Decode and validate, or raise a problem that names the field. A key given twice
    in one object is refused too (see `reject_duplicate_keys`), unless `check_keys` is
    False because `raw` is part of a document already checked whole."""
    try:
        value = decoder.decode(raw)
    except msgspec.ValidationError as exc:
        fault = problems.validation_fault(str(exc))
        raise ProblemError(422, "invalid", f"{fault.field}: {fault.fault}", [fault]) from None
    except msgspec.DecodeError as exc:
        raise ProblemError(400, "malformed", f"the body is not valid JSON ({exc})",
                           [FieldFault("(body)", "not valid JSON")]) from None
    except RecursionError:
        raise _too_deep() from None
    if check_keys:
        reject_duplicate_keys(raw)
    return value


def reject_duplicate_keys(raw: bytes) -> None:
    """Raise a 422 problem naming the path of a key given twice in one JSON object
    ("incident.summary"). `raw` must already have decoded as JSON. `decode` calls it;
    anything that decodes a JSON body another way must call it too."""
    try:
        duplicate = first_duplicate(raw)
    except RecursionError:
        raise _too_deep() from None
    if duplicate is not None:
        fault = FieldFault(duplicate, "is given more than once in the same object")
        raise ProblemError(422, "invalid", f"{fault.field}: {fault.fault}", [fault])


def _reject_duplicate_keys_in_document(raw: bytes) -> None:
    """A raw body (a document in another standard, a CSV file) that is JSON gets the
    same check as any other JSON body; anything else is left to its codec."""
    if raw.lstrip()[:1] not in (b"{", b"["):
        return
    with contextlib.suppress(msgspec.DecodeError):  # not JSON after all: the codec says
        reject_duplicate_keys(raw)


def _too_deep() -> ProblemError:
    # msgspec and json raise RecursionError past Python's recursion limit: a few hundred
    # levels, far deeper than any real message.
    return ProblemError(400, "too-deep", "the body is nested more deeply than the hub "
                        "accepts", [FieldFault("(body)", "nested too deeply")])


JSON_MEDIA = "application/json"


def media_type_fault(content_type: str) -> str | None:
    """What is wrong with a Content-Type for a JSON body, or None. Accepted:
    application/json and application/*+json (RFC 6839), in any letter case, with
    parameters; a charset, if given, must be UTF-8 (RFC 8259 section 8.1)."""
    media, *params = content_type.split(";")
    kind, _, subtype = media.strip().lower().partition("/")
    if kind != "application" or not (subtype == "json" or (
            subtype.endswith("+json") and len(subtype) > 5)) or " " in subtype:
        return f"must be {JSON_MEDIA} (or application/*+json)"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
                "utf-8", "utf8"):
            return "the charset must be utf-8"
    return None


def _query(endpoint: Endpoint[Any], request: Request) -> dict[str, Any]:
    values = {}
    for name, param in endpoint.query_decoders.items():
        raw = request.query_params.get(name)
        if raw is None:
            values[name] = param.default
            continue
        try:
            values[name] = msgspec.convert(raw, param.type, strict=False)
        except msgspec.ValidationError as exc:
            fault = problems.validation_fault(str(exc))
            raise ProblemError(422, "invalid", f"query parameter {name}: {fault.fault}",
                               [FieldFault(f"query.{name}", fault.fault)]) from None
    return values


SIGNATURE_HEADER = "x-jws-signature"


async def _signature(endpoint: Endpoint[Any], gate: Gate, identity: Identity | None,
                     request: Request, payload: bytes) -> Any:
    """The verified signature over the body's exact bytes, checked before the body is
    decoded. Console sessions are exempt: the browser holds no agency key, and what an
    operator does is recorded under the operator's name."""
    if endpoint.signed is None or identity is None or identity.session is not None:
        return None
    return await gate.check_signature(identity.agency, endpoint.signed,
                                      request.headers.get(SIGNATURE_HEADER), payload,
                                      f"header.{SIGNATURE_HEADER}")


def _asgi_handler(endpoint: Endpoint[C], ctx: C, gate: Gate, max_body_bytes: int
                  ) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        try:
            identity = (await identify(gate, request.headers, request.method, request.scope)
                        if endpoint.auth else None)
            agency = identity.agency if identity else None
            if endpoint.role is not None:
                require_role(identity, endpoint.role)
            body = signature = None
            if endpoint.raw_body:
                body = await read_body(request, max_body_bytes)
                signature = await _signature(endpoint, gate, identity, request, body)
                _reject_duplicate_keys_in_document(body)
            elif endpoint.decoder is not None:
                ctype = request.headers.get("content-type", JSON_MEDIA)
                if fault := media_type_fault(ctype):
                    raise ProblemError(415, "unsupported-media-type",
                                       f"send {JSON_MEDIA}, not {ctype}",
                                       [FieldFault("header.content-type", fault)])
                raw = await read_body(request, max_body_bytes)
                signature = await _signature(endpoint, gate, identity, request, raw)
                body = decode(endpoint.decoder, raw)
            call = Call(request, ctx, agency, dict(request.path_params),
                        _query(endpoint, request), body,
                        identity.operator if identity else None, signature)
            with gate.acting(actor_of(identity)) if identity else contextlib.nullcontext():
                result = await endpoint.handler(call)
            if isinstance(result, Response):
                return result
            status, value = ((result.status, result.value) if isinstance(result, Result)
                             else (endpoint.ok, result))
            return Response(_encode(value), status_code=status, media_type="application/json")
        except ProblemError as exc:
            p = problems.problem(exc.status, exc.kind, exc.detail, exc.faults, request.url.path)
            return problems.response(p, exc.headers)
        except DomainError as exc:
            return problems.response(problems.from_domain(exc, request.url.path))
        except StorageUnavailable as exc:
            log.error("storage unavailable", path=request.url.path, error=str(exc))
            return problems.response(problems.problem(503, "storage-unavailable", str(exc),
                                                      instance=request.url.path),
                                     {"Retry-After": str(exc.retry_after)})
        except Exception:
            log.exception("unhandled error", path=request.url.path)
            return problems.response(problems.problem(500, "internal", None,
                                                      instance=request.url.path))

    handle.__name__ = endpoint.handler.__name__
    return handle
