"""Mutual TLS for the hub.

uvicorn (as installed) does not put the peer certificate in the ASGI scope, so the hub
runs with thin subclasses of uvicorn's httptools and websockets-sansio protocols that add
the ASGI TLS extension, `scope["extensions"]["tls"]`, with `client_cert_chain` (the
verified client certificate as PEM; Python's ssl module gives the leaf only),
`tls_version` and `cipher_suite`. The ssl module has already verified the certificate
against `tls_client_ca` (chain and validity dates) before the handshake completes; the
hub then maps it to an agency and checks the revoked-serials file, through the
`ClientCertificates` the composition root gives it (`entrypoints.gate`)."""

from __future__ import annotations

import ssl
from typing import Any, Protocol

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bluelight.hub.entrypoints.wsprotocol import StreamProtocol

_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def _tls_extension(transport: Any) -> dict | None:
    ssl_object = transport.get_extra_info("ssl_object") if transport else None
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    cipher = ssl_object.cipher()
    return {
        "server_cert": None,
        "client_cert_chain": [ssl.DER_cert_to_PEM_cert(der)] if der else [],
        "client_cert_name": None,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,
        "cipher_name": cipher[0] if cipher else None,
    }


class TLSHttpToolsProtocol(HttpToolsProtocol):
    _tls: dict | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._tls = _tls_extension(transport)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._tls is not None:
            self.scope["extensions"] = {"tls": self._tls}  # type: ignore[typeddict-unknown-key]


class TLSWebSocketsProtocol(StreamProtocol):
    _tls: dict | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._tls = _tls_extension(transport)

    def handle_connect(self, event) -> None:  # type: ignore[override]
        super().handle_connect(event)  # builds self.scope; the app task has not run yet
        if self._tls is not None:
            self.scope["extensions"]["tls"] = self._tls  # type: ignore[typeddict-unknown-key]


class ClientCertificates(Protocol):
    """What the hub needs to know of a verified client certificate (the PKI adapter)."""

    def facts(self, pem: str) -> tuple[str | None, int]:
        """(agency id, serial number) of a client certificate (PEM)."""
        ...

    def revoked(self, serial: int) -> bool:
        """Whether the serial is in the revoked-serials file (`tls_revoked`)."""
        ...


def client_cert_pem(scope: Any) -> str | None:
    """The verified client certificate of this connection, if it presented one."""
    if not scope:
        return None
    tls = (scope.get("extensions") or {}).get("tls")
    chain = tls.get("client_cert_chain") if tls else None
    return chain[0] if chain else None
