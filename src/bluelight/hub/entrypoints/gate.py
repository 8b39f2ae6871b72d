"""The hub's `Gate` (kernel.routing): what an agency's bearer token, an operator's
session cookie and a client certificate are worth on this hub. Every API mounted on the
server (the hub's own, its administration, the console and the workbench) tells its
callers apart through it, so they all accept the same credentials."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from starlette.types import Scope

from bluelight.hub.domain.operator import Session
from bluelight.hub.domain.signature import SignedKind
from bluelight.hub.entrypoints import tls
from bluelight.hub.entrypoints.tls import ClientCertificates
from bluelight.hub.services import audit, operators
from bluelight.hub.services.hub import Hub
from bluelight.kernel.routing import OperatorSession, unauthenticated


class HubGate:
    def __init__(self, hub: Hub, certificates: ClientCertificates) -> None:
        self.hub = hub
        self.certificates = certificates

    async def authenticate(self, token: str) -> str | None:
        return await self.hub.authenticate(token)

    async def session(self, cookie: str) -> Session | None:
        return await self.hub.session(cookie)

    def csrf_ok(self, session: OperatorSession, presented: str | None) -> bool:
        # Only sessions this gate opened reach here; anything else has no CSRF token.
        return isinstance(session, Session) and operators.csrf_ok(session, presented)

    async def certificate_agency(self, scope: Scope) -> str | None:
        """A revoked certificate, or one for no registered agency, is refused."""
        pem = tls.client_cert_pem(scope)
        if pem is None:
            return None
        agency, serial = self.certificates.facts(pem)
        if self.certificates.revoked(serial):
            raise unauthenticated("the client certificate has been revoked")
        if not agency or not await self.hub.is_agency(agency):
            raise unauthenticated("the client certificate is not for a registered agency")
        return agency

    def certificate_serial(self, scope: Scope) -> int | None:
        """The serial of the connection's client certificate, if it presented one: an
        open stream is closed once it is revoked."""
        pem = tls.client_cert_pem(scope)
        return self.certificates.facts(pem)[1] if pem else None

    async def check_signature(self, agency: str, kind: Any, signature: str | None,
                              payload: bytes, field: str) -> Any:
        checked: SignedKind = kind  # routing passes on the endpoint's declared kind
        return await self.hub.check_signature(agency, checked, signature, payload, field)

    def acting(self, actor: str) -> AbstractContextManager[None]:
        return audit.acting(actor)
