"""Mutual TLS for the hub.

uvicorn (as installed) does not put the peer certificate in the ASGI scope, so the hub
runs with thin subclasses of uvicorn's httptools and websockets-sansio protocols that add
the ASGI TLS extension, `scope["extensions"]["tls"]`, with `client_cert_chain` (the
verified client certificate as PEM; Python's ssl module gives the leaf only),
`tls_version` and `cipher_suite`. The ssl module has already verified the certificate
against `tls_client_ca` (chain and validity dates) before the handshake completes; here
the hub maps it to an agency and checks the revoked-serials file."""

from __future__ import annotations

import ssl
from functools import lru_cache
from pathlib import Path
from typing import Any

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


class RevokedSerials:
    """The revoked-serials file, re-read whenever its modification time changes."""

    def __init__(self, path: Path | str | None) -> None:
        self.path = Path(path) if path else None
        self._stamp: tuple[int, int] | None = None
        self._serials: set[int] = set()

    def __contains__(self, serial: int) -> bool:
        if self.path is None:
            return False
        from bluelight.hub.adapters import pki

        try:
            st = self.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._serials = pki.read_revoked(self.path) if stamp else set()
            self._stamp = stamp
        return serial in self._serials


# Set by `configure` when the hub starts with TLS (`bluelight serve`); one hub a process.
revoked = RevokedSerials(None)


def configure(revoked_path: Path | str | None) -> None:
    global revoked
    revoked = RevokedSerials(revoked_path)


def client_cert_pem(scope: Any) -> str | None:
    """The verified client certificate of this connection, if it presented one."""
    if not scope:
        return None
    tls = (scope.get("extensions") or {}).get("tls")
    chain = tls.get("client_cert_chain") if tls else None
    return chain[0] if chain else None


@lru_cache(maxsize=1024)
def certificate_facts(pem: str) -> tuple[str | None, int]:
    """(agency id, serial number) of a client certificate."""
    from cryptography import x509

    from bluelight.hub.adapters import pki

    cert = x509.load_pem_x509_certificate(pem.encode())
    return pki.agency_of(cert), cert.serial_number
