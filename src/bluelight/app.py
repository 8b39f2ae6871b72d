"""The ASGI application: HTTP API, WebSocket stream, metrics and OpenAPI."""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match, Route

from bluelight import api_document
from bluelight.bootstrap import Runtime
from bluelight.hub.entrypoints import admin_api, console
from bluelight.hub.entrypoints.api import api
from bluelight.hub.entrypoints.gate import HubGate
from bluelight.hub.entrypoints.stream import Streams
from bluelight.kernel import problems
from bluelight.kernel.errors import StorageUnavailable
from bluelight.kernel.settings import redact
from bluelight.workbench.entrypoints import apis as workbench_apis
from bluelight.workbench.entrypoints import pages as workbench_pages

log = structlog.get_logger(__name__)


async def _escalate_forever(runtime: Runtime) -> None:
    """Raise overdue alarms. A failure here is logged loudly and retried: the alarm is
    the safety net for a partner who does not answer."""
    interval = runtime.settings.escalate_interval_s
    # A node that stops scanning (dead, frozen) hands the scan over after this long.
    lease_s = max(3.0, 3 * interval)
    while True:
        try:
            raised = await runtime.hub.escalate(lease_s)
            for transfer in raised:
                log.warning("transfer overdue", transfer=transfer.transfer_id,
                            sender=transfer.sender, recipient=transfer.recipient)
        except asyncio.CancelledError:
            raise
        except StorageUnavailable as exc:  # logged by the store; no traceback each time
            log.error("escalation failed; retrying", error=str(exc))
        except Exception:
            log.exception("escalation failed; retrying")
        await asyncio.sleep(interval)


async def _every(interval: float, what: str, step) -> None:
    """Run `step` every `interval` seconds for ever; a failure is logged and retried."""
    while True:
        await asyncio.sleep(interval)
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except StorageUnavailable as exc:  # logged by the store; no traceback each time
            log.error(f"{what} failed; retrying", error=str(exc))
        except Exception:
            log.exception(f"{what} failed; retrying")


def _governance(runtime: Runtime) -> list:
    """The retention purge and the audit witness, as the settings ask."""
    settings, hub = runtime.settings, runtime.hub

    async def retain() -> None:
        if purged := await hub.retain(settings.default_retention_days):
            log.info("retention purge", incidents=purged)

    async def witness() -> None:
        head = await hub.audit_head()
        if head is not None:
            # Ship this line off the host (journald, a log archive): it is the witness
            # `bluelight audit verify --head SEQ:HASH` checks against.
            log.info("audit head", seq=head[0], hash=head[1], witness=f"{head[0]}:{head[1]}")

    loops = []
    if settings.retention_interval_s > 0:
        loops.append(_every(settings.retention_interval_s, "retention purge", retain))
    if settings.audit_witness_interval_s > 0:
        loops.append(_every(settings.audit_witness_interval_s, "audit witness", witness))
    return loops


async def _http_problem(request: Request, exc: HTTPException) -> Response:
    """Unknown paths and wrong methods get problem details too."""
    kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "error")
    headers, faults = dict(getattr(exc, "headers", None) or {}), []
    if exc.status_code == 405:
        headers["Allow"] = allow = ", ".join(_allowed_methods(request))
        faults = [problems.FieldFault("(method)", f"{request.method} is not allowed here; "
                                      f"use {allow}")]
    elif exc.status_code == 404:
        faults = [problems.FieldFault("(path)", "no such resource")]
    return problems.response(
        problems.problem(exc.status_code, kind, exc.detail, faults, request.url.path), headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method the request's path supports. Each endpoint is its own Route, one
    method each, and Starlette's 405 names only the first Route whose path matched."""
    methods: set[str] = set()
    # The path as the client sent it: a Mount (the console's files) that answered the
    # 405 itself has rewritten the scope's root_path.
    scope = {"type": "http", "path": request.url.path, "root_path": "",
             "method": request.method}
    matching = [route for route in request.app.router.routes
                if isinstance(route, Route) and route.methods
                and route.matches(scope)[0] is not Match.NONE]
    # A path that names a resource literally (".../assessments/statements") is that
    # resource, not also an id of the templated one beside it (".../{assessment_id}").
    if literal := [route for route in matching if route.path == request.url.path]:
        matching = literal
    for route in matching:
        methods |= route.methods
    return sorted(methods)


CLOSE_REVOKED = 4401  # the credential this stream authenticated with was revoked


async def _close_revoked_streams(runtime: Runtime, streams: Streams, interval: float = 0.5):
    """A revoked credential must stop working at once: requests check it every time,
    and open streams using it are closed here within `interval`."""
    certificates = runtime.certificates
    since = time.time()
    while True:
        await asyncio.sleep(interval)
        try:
            now = time.time()
            revoked = set(await runtime.hub.revoked_since(since - interval))
            since = now
            doomed = [s for s in streams.live if s.credential in revoked
                      or (s.certificate_serial is not None
                          and certificates.revoked(s.certificate_serial))]
            for session in doomed:
                log.warning("closing a stream: its credential was revoked",
                            agency=session.agency, key_id=session.credential)
                # Returns at once: a client that does not read must not hold up the rest.
                session.close(CLOSE_REVOKED, "credential revoked")
        except asyncio.CancelledError:
            raise
        except StorageUnavailable as exc:  # logged by the store; no traceback each time
            log.error("revocation check failed; retrying", error=str(exc))
        except Exception:
            log.exception("revocation check failed; retrying")


def create_app(runtime: Runtime) -> Starlette:
    spec = api_document.document()
    settings, hub = runtime.settings, runtime.hub
    # Every API on this server tells its callers apart the hub's way.
    gate = HubGate(hub, runtime.certificates)
    streams = Streams(hub, gate, write_deadline=settings.stream_write_timeout_s,
                      metrics=runtime.metrics)
    limit = settings.max_body_bytes

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(spec)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        await runtime.start()
        try:  # the first messages' losses are then worked out before their jobs too
            await runtime.hub.refresh_terms()
        except StorageUnavailable as exc:
            log.error("could not read the directory at start; carrying on", error=str(exc))
        escalator = asyncio.create_task(_escalate_forever(runtime))
        revoker = asyncio.create_task(_close_revoked_streams(runtime, streams))
        governance = [asyncio.create_task(loop) for loop in _governance(runtime)]
        log.info("hub started", node=runtime.settings.node,
                 store=redact(runtime.settings.store) if runtime.settings.store
                 else str(runtime.settings.db))
        try:
            yield
        finally:
            for task in (escalator, revoker, *governance):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await runtime.stop()

    routes = [
        *api.starlette_routes(hub, gate, limit),
        *admin_api.api.starlette_routes(runtime.admin, gate, limit),
        *streams.routes(),
        Route("/openapi.json", openapi_json),
        Route("/metrics", metrics),
        *console.routes(hub, gate, limit),
        *workbench_pages.routes(),
        # The workbench's handlers get the workbench; its callers are the hub's agencies
        # and operators, told apart by the same gate.
        *(route for part in workbench_apis()
          for route in part.starlette_routes(runtime.workbench, gate, limit)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_problem})
    return app
