"""`bluelight pki ...`: a development PKI for TLS and mutual TLS (a CA, the hub's server
certificate, agencies' client certificates and the revoked-serials file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bluelight.hub.domain.agency import check_agency_id
from bluelight.hub.entrypoints.cli_root import root
from bluelight.kernel.cli import err, refuse
from bluelight.kernel.errors import DomainError

pki_app = typer.Typer(help="A development PKI for TLS and mutual TLS.", no_args_is_help=True)
PkiDir = Annotated[Path, typer.Option("--dir", help="PKI directory")]


@pki_app.command("init")
def pki_init(
    directory: PkiDir = Path("var/pki"),
    name: Annotated[str, typer.Option(help="The CA's name")] = "bluelight development CA",
    days: Annotated[int, typer.Option(help="Validity in days")] = 3650,
    force: Annotated[bool, typer.Option(help="Replace an existing CA")] = False,
) -> None:
    """Create a certificate authority (EC P-256, self-signed) in the PKI directory."""
    pki = root().pki()
    if (directory / pki.CA_CERT).exists() and not force:
        err.print(f"error: {directory / pki.CA_CERT} exists (use --force to replace it)")
        raise typer.Exit(1)
    cert, key = pki.init_ca(directory, name, days)
    print(cert)
    print(key)


@pki_app.command("issue")
def pki_issue(
    agency_id: Annotated[str | None, typer.Argument(
        metavar="AGENCY_ID", help="The agency a client certificate is for")] = None,
    server: Annotated[bool, typer.Option("--server", help="Issue the hub's server certificate")
                      ] = False,
    dns: Annotated[list[str] | None, typer.Option(
        help="Extra DNS name for a server certificate (repeatable)")] = None,
    directory: PkiDir = Path("var/pki"),
    days: Annotated[int, typer.Option(help="Validity in days")] = 825,
) -> None:
    """Issue an agency's client certificate, or with --server the hub's; prints the
    certificate and key paths."""
    pki = root().pki()
    if server == (agency_id is not None):
        err.print("error: give an AGENCY_ID or --server (not both)")
        raise typer.Exit(2)
    if agency_id is not None:
        try:
            check_agency_id(agency_id)
        except DomainError as exc:
            refuse(exc)
    ca_cert, ca_key = directory / pki.CA_CERT, directory / pki.CA_KEY
    if not ca_cert.exists():
        err.print(f"error: no CA in {directory} (run `bluelight pki init` first)")
        raise typer.Exit(1)
    cert, key = pki.issue(directory, ca_cert, ca_key, agency_id or "localhost",
                          kind="server" if server else "client", dns_names=dns or (), days=days)
    print(cert)
    print(key)


@pki_app.command("revoke")
def pki_revoke(
    what: Annotated[str, typer.Argument(
        metavar="SERIAL_OR_CERTFILE", help="A serial number (hex) or a certificate file")],
    directory: PkiDir = Path("var/pki"),
) -> None:
    """Revoke a client certificate: add its serial to <dir>/revoked.txt, which the hub
    (tls_revoked) re-reads when it changes."""
    pki = root().pki()
    try:
        serial = pki.serial_of(what)
    except ValueError:
        err.print(f"error: {what} is neither a certificate file nor a hex serial number")
        raise typer.Exit(2) from None
    pki.revoke(directory, serial)
    print(f"revoked {serial:x} in {directory / pki.REVOKED_FILE}")
