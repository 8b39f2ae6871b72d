"""A small development PKI for TLS and mutual TLS: a self-signed CA, server certificates
for the hub and client certificates for agencies, and a plain revocation list (a file of
serial numbers, one per line, in hex, that the hub re-reads when it changes)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

AGENCY_URI_PREFIX = "urn:bluelight:agency:"
REVOKED_FILE = "revoked.txt"
CA_CERT, CA_KEY = "ca.crt", "ca.key"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)  # also when the file existed with wider permissions


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def load_cert(path: Path | str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def load_key(path: Path | str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def init_ca(directory: Path | str, name: str = "bluelight development CA",
            days: int = 3650) -> tuple[Path, Path]:
    """Create an EC P-256 self-signed CA in `directory`; returns (cert path, key path)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / CA_CERT, directory / CA_KEY
    _write_key(key_path, key)
    _write_cert(cert_path, cert)
    (directory / REVOKED_FILE).touch()
    return cert_path, key_path


def issue(directory: Path | str, ca_cert: Path | str, ca_key: Path | str, common_name: str, *,
          kind: Literal["server", "client"], dns_names: Iterable[str] = (), days: int = 825,
          not_before: dt.datetime | None = None,
          not_after: dt.datetime | None = None) -> tuple[Path, Path]:
    """Issue a server certificate (SAN localhost, 127.0.0.1 and `dns_names`; serverAuth)
    or an agency's client certificate (CN and SAN URI urn:bluelight:agency:<id>;
    clientAuth). Returns (cert path, key path), named after `common_name`."""
    if kind not in ("server", "client"):
        raise ValueError(f"kind must be 'server' or 'client', not {kind!r}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    issuer_cert, issuer_key = load_cert(ca_cert), load_key(ca_key)
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or _now() - dt.timedelta(minutes=5)
    end = not_after or start + dt.timedelta(days=days)
    if kind == "server":
        names: list[x509.GeneralName] = [x509.DNSName("localhost"),
                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        names += [x509.DNSName(n) for n in dns_names if n != "localhost"]
        usage = ExtendedKeyUsageOID.SERVER_AUTH
    else:
        names = [x509.UniformResourceIdentifier(AGENCY_URI_PREFIX + common_name)]
        names += [x509.DNSName(n) for n in dns_names]
        usage = ExtendedKeyUsageOID.CLIENT_AUTH
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )
    stem = "server" if kind == "server" else common_name
    cert_path, key_path = directory / f"{stem}.crt", directory / f"{stem}.key"
    _write_key(key_path, key)
    _write_cert(cert_path, cert)
    return cert_path, key_path


def serial_of(cert_or_serial: Path | str | int) -> int:
    """A serial number from an int, a hex or decimal string, or a certificate file."""
    if isinstance(cert_or_serial, int):
        return cert_or_serial
    text = str(cert_or_serial).strip()
    if Path(text).is_file():
        return load_cert(text).serial_number
    clean = text.lower().replace(":", "")
    if clean.startswith("0x"):
        return int(clean[2:], 16)
    return int(clean, 16)


def revoke(directory: Path | str, cert_or_serial: Path | str | int) -> int:
    """Add a certificate's serial number to <directory>/revoked.txt; returns the serial."""
    serial = serial_of(cert_or_serial)
    path = Path(directory) / REVOKED_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if serial not in read_revoked(path):
        with path.open("a") as f:
            f.write(f"{serial:x}\n")
    return serial


def read_revoked(path: Path | str) -> set[int]:
    """Serial numbers in a revoked file: hex, one a line; blank lines and # comments skipped."""
    try:
        lines = Path(path).read_text().splitlines()
    except FileNotFoundError:
        return set()
    serials = set()
    for line in lines:
        line = line.split("#", 1)[0].strip().lower().replace(":", "")
        if line:
            serials.add(int(line[2:] if line.startswith("0x") else line, 16))
    return serials


def agency_of(cert: x509.Certificate) -> str | None:
    """The agency a client certificate speaks for: its urn:bluelight:agency: SAN URI, or
    else its common name."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        for uri in san.get_values_for_type(x509.UniformResourceIdentifier):
            if uri.startswith(AGENCY_URI_PREFIX):
                return uri[len(AGENCY_URI_PREFIX):]
    except x509.ExtensionNotFound:
        pass
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else None


class ClientCertificates:
    """What the hub's TLS edge asks of a client certificate (`entrypoints.tls`): the
    agency it names and its serial, and whether that serial is in the revoked-serials
    file (`tls_revoked`), re-read whenever the file's modification time changes."""

    def __init__(self, revoked_path: Path | str | None) -> None:
        self.path = Path(revoked_path) if revoked_path else None
        self._stamp: tuple[int, int] | None = None
        self._serials: set[int] = set()

    @staticmethod
    @lru_cache(maxsize=1024)
    def facts(pem: str) -> tuple[str | None, int]:
        """(agency id, serial number) of a client certificate."""
        cert = x509.load_pem_x509_certificate(pem.encode())
        return agency_of(cert), cert.serial_number

    def revoked(self, serial: int) -> bool:
        if self.path is None:
            return False
        try:
            st = self.path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._serials = read_revoked(self.path) if stamp else set()
            self._stamp = stamp
        return serial in self._serials
