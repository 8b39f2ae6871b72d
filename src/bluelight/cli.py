"""The `bluelight` command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.table import Table

from bluelight.cli_common import (
    ConfigOpt,
    cli_actor,
    console,
    err,
    refuse,
    settings,
    transaction,
)
from bluelight.hub.domain.agency import Agency, MessageFormat, Service, check_agency_id
from bluelight.hub.entrypoints.cli_bench import app as bench_app
from bluelight.hub.entrypoints.cli_gazetteer import app as gazetteer_app
from bluelight.hub.entrypoints.cli_governance import agreement_app, audit_app, retention_app
from bluelight.hub.entrypoints.cli_keys import app as keys_app
from bluelight.kernel.errors import DomainError
from bluelight.workbench.entrypoints.cli_assessment import app as assessment_app
from bluelight.workbench.entrypoints.cli_estates import app as estates_app
from bluelight.workbench.entrypoints.cli_register import app as register_app

app = typer.Typer(help="bluelight: multi-agency incident transfer hub.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
agency_app = typer.Typer(help="The agency directory.", no_args_is_help=True)
app.add_typer(agency_app, name="agency")
agency_app.add_typer(keys_app, name="key")
operator_app = typer.Typer(help="Console operators.", no_args_is_help=True)
app.add_typer(operator_app, name="operator")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(bench_app, name="bench")
app.add_typer(assessment_app, name="assessment")
app.add_typer(estates_app, name="estates")
app.add_typer(register_app, name="register")
pki_app = typer.Typer(help="A development PKI for TLS and mutual TLS.", no_args_is_help=True)
app.add_typer(pki_app, name="pki")
app.add_typer(agreement_app, name="agreement")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
# Shared with the other command groups (cli_common); the short names are this module's.
_settings, _refuse, _transaction = settings, refuse, transaction


@app.command()
def serve(
    config: ConfigOpt = None,
    host: Annotated[str | None, typer.Option(help="Listen address")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port")] = None,
    db: Annotated[Path | None, typer.Option(help="Hub database file")] = None,
    profile: Annotated[Path | None, typer.Option(
        help="Write a cProfile of the hub here on shutdown (for performance work)",
        envvar="BLUELIGHT_PROFILE")] = None,
    tls_cert: Annotated[Path | None, typer.Option(help="Server certificate (PEM): serve HTTPS")
                        ] = None,
    tls_key: Annotated[Path | None, typer.Option(help="Server private key (PEM)")] = None,
    tls_client_ca: Annotated[Path | None, typer.Option(
        help="CA of agencies' client certificates: ask for them (mutual TLS)")] = None,
    tls_revoked: Annotated[Path | None, typer.Option(
        help="File of revoked client certificate serials")] = None,
) -> None:
    """Run the hub (HTTP + WebSocket, or HTTPS + WSS with a TLS certificate and key)."""
    import uvicorn

    from bluelight.app import create_app
    from bluelight.bootstrap import build
    from bluelight.kernel.http_protocol import ProblemHttpToolsProtocol, with_problem_answers
    from bluelight.kernel.logs import setup_logging

    settings = _settings(config, host=host, port=port, db_path=str(db) if db else None,
                         **{k: str(v) for k, v in {
                             "tls_cert": tls_cert, "tls_key": tls_key,
                             "tls_client_ca": tls_client_ca, "tls_revoked": tls_revoked,
                         }.items() if v is not None})
    if bool(settings.tls_cert) != bool(settings.tls_key):
        err.print("error: TLS needs both tls_cert and tls_key")
        raise typer.Exit(2)
    if settings.tls_client_ca and not settings.tls:
        err.print("error: tls_client_ca needs tls_cert and tls_key")
        raise typer.Exit(2)
    setup_logging(settings.log_level)
    import os
    import sys
    # The commit and checkpoint threads must take the GIL back from a busy event loop
    # after each fsync; with the default 5 ms switch interval that stalls every batch.
    # Measured at 2,500 transfers/s offered: 2,140-2,420/s sustained at 5 ms,
    # 2,480-2,496/s at 1 ms and 0.2 ms (see docs/decisions/0003).
    sys.setswitchinterval(float(os.environ.get("BLUELIGHT_SWITCH_INTERVAL_S", "0.0002")))
    app_ = create_app(build(settings))
    scheme = "https" if settings.tls else "http"
    console.print(f"bluelight hub on {scheme}://{settings.host}:{settings.port}  "
                  f"db={settings.db}")
    from bluelight.hub.entrypoints.wsprotocol import StreamProtocol

    # httptools (uvicorn[standard]), answering unparseable requests with problem details;
    # websockets-sansio, with a handle to abort a client that stops reading.
    protocols: dict = {"http": ProblemHttpToolsProtocol, "ws": StreamProtocol}
    if settings.tls:
        import ssl

        from bluelight.hub.entrypoints import tls

        # The protocols put the verified client certificate in the ASGI scope; the
        # revoked-serials file is the composition root's (`Runtime.certificates`).
        protocols = {"http": with_problem_answers(tls.TLSHttpToolsProtocol),
                     "ws": tls.TLSWebSocketsProtocol,
                     "ssl_certfile": settings.tls_cert, "ssl_keyfile": settings.tls_key}
        if settings.tls_client_ca:
            protocols |= {"ssl_ca_certs": settings.tls_client_ca,
                          "ssl_cert_reqs": ssl.CERT_REQUIRED if settings.tls_client_cert_required
                          else ssl.CERT_OPTIONAL}
    # uvicorn believes X-Forwarded-For (and -Proto) from loopback unless told otherwise;
    # the hub only from the proxies named in `trusted_proxies`, else anyone could pick
    # the address that sign-in throttling counts against.
    proxies = {"proxy_headers": bool(settings.trusted_proxies),
               "forwarded_allow_ips": settings.trusted_proxies or None}
    run = lambda: uvicorn.run(  # noqa: E731
        app_, host=settings.host, port=settings.port, log_level="warning", access_log=False,
        loop="uvloop", ws_per_message_deflate=False, **protocols, **proxies,
        ws_max_size=settings.max_body_bytes,  # a message is held whole: as large as a body
    )
    if profile is None:
        run()
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(run)
    profiler.dump_stats(profile)


@agency_app.command("add")
def agency_add(
    agency_id: Annotated[str, typer.Argument(metavar="ID", help="country.service.organisation")],
    name: Annotated[str, typer.Option(help="Full name")],
    service: Annotated[Service, typer.Option(help="Emergency service")],
    phone: Annotated[str, typer.Option(help="Control room phone, rung when a transfer is overdue")],
    ack_deadline: Annotated[float | None, typer.Option(help="Seconds to acknowledge")] = None,
    decision_deadline: Annotated[float | None, typer.Option(help="Seconds to decide")] = None,
    format_: Annotated[MessageFormat, typer.Option(
        "--format", help="The standard its systems send and receive")] = MessageFormat.BLUELIGHT,
    config: ConfigOpt = None,
) -> None:
    """Register an agency and print its credential (shown once)."""
    from bluelight.hub.services import directory

    settings = _settings(config)
    try:
        check_agency_id(agency_id)
        agency = msgspec.convert(
            {"id": agency_id, "name": name, "service": service.value, "phone": phone,
             "ack_deadline_s": ack_deadline, "decision_deadline_s": decision_deadline,
             "format": format_.value},
            Agency,
        )
        token, job = directory.register(agency, time.time(), cli_actor())
    except (msgspec.ValidationError, DomainError) as exc:
        _refuse(exc)
    _transaction(settings, job)
    console.print(f"registered {agency_id}")
    console.print("credential (store it now; it is not shown again):")
    print(token)


@agency_app.command("token")
def agency_token(
    agency_id: Annotated[str, typer.Argument(metavar="ID")], config: ConfigOpt = None
) -> None:
    """Issue another credential for an agency (e.g. for rotation)."""
    from bluelight.hub.services import directory

    token, job = directory.new_credential(agency_id, time.time(), cli_actor())
    _transaction(_settings(config), job)
    print(token)


@agency_app.command("tokens")
def agency_tokens(
    agency_id: Annotated[str, typer.Argument(metavar="ID")], config: ConfigOpt = None
) -> None:
    """List an agency's credentials by key id (the secrets are never shown again)."""
    table = Table("key id", "created", "revoked")
    fmt = lambda t: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) if t else ""  # noqa: E731
    for key_id, created, revoked in _transaction(
            _settings(config), lambda repo: repo.credentials_of(agency_id)):
        table.add_row(key_id, fmt(created), fmt(revoked))
    console.print(table)


@agency_app.command("revoke")
def agency_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id (the part after bl_), or the token")],
    config: ConfigOpt = None,
) -> None:
    """Revoke a credential at once (rotate first with `bluelight agency token`)."""
    from bluelight.hub.services import credentials, directory

    parts = credentials.split(key_id)
    _transaction(_settings(config), directory.revoke(parts[0] if parts else key_id,
                                                     time.time(), cli_actor()))
    console.print("revoked")


@agency_app.command("set")
def agency_set(
    agency_id: Annotated[str, typer.Argument(metavar="ID")],
    name: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    ack_deadline: Annotated[float | None, typer.Option()] = None,
    decision_deadline: Annotated[float | None, typer.Option()] = None,
    format_: Annotated[MessageFormat | None, typer.Option("--format")] = None,
    config: ConfigOpt = None,
) -> None:
    """Change an agency's details, deadlines or message format."""
    from bluelight.hub.services import directory

    agency = _transaction(_settings(config), directory.change(
        agency_id, cli_actor(), name=name, phone=phone, ack_deadline_s=ack_deadline, format=format_,
        decision_deadline_s=decision_deadline))
    console.print(msgspec.json.encode(agency).decode())


@agency_app.command("subscribe")
def agency_subscribe(
    agency_id: Annotated[str, typer.Argument(metavar="ID", help="The receiving agency")],
    to: Annotated[str, typer.Option(help="The alert source, e.g. an environment agency")],
    config: ConfigOpt = None,
) -> None:
    """Deliver a source's public alerts (CAP, no addressees) to this agency."""
    from bluelight.hub.services import directory

    _transaction(_settings(config), directory.subscribe(agency_id, to, cli_actor()))
    console.print(f"{agency_id} now receives alerts from {to}")


@agency_app.command("list")
def agency_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """List agencies."""
    agencies = _transaction(_settings(config), lambda repo: repo.agencies())
    if as_json:
        print(msgspec.json.encode(agencies).decode())
        return
    table = Table("id", "name", "service", "phone", "ack s", "decide s")
    for a in agencies:
        table.add_row(a.id, a.name, a.service.value, a.phone, str(a.ack_deadline_s or "default"),
                      str(a.decision_deadline_s or "default"))
    console.print(table)


@operator_app.command("add")
def operator_add(
    username: Annotated[str, typer.Argument(help="Sign-in name, lower case")],
    agency: Annotated[str, typer.Option(help="The operator's agency id")],
    name: Annotated[str, typer.Option(help="Full name, shown on decisions")],
    password: Annotated[str | None, typer.Option(
        help="Password (10+ characters); generated and printed once if omitted",
        envvar="BLUELIGHT_OPERATOR_PASSWORD")] = None,
    role: Annotated[str, typer.Option(
        help="operator, or admin (also manages agencies, agreements and credentials)")
    ] = "operator",
    config: ConfigOpt = None,
) -> None:
    """Add a console operator for one agency."""
    import secrets

    from bluelight.hub.domain.operator import Operator
    from bluelight.hub.services import operators

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        operator = msgspec.convert({"username": username, "name": name, "agency": agency,
                                    "role": role}, Operator)
        job = operators.add(operator, operators.hash_password(password), time.time(),
                            cli_actor())
    except (msgspec.ValidationError, DomainError) as exc:
        _refuse(exc)
    _transaction(_settings(config), job)
    console.print(f"operator {username} added to {agency}")
    if generated:
        console.print("password (store it now; it is not shown again):")
        print(password)


@operator_app.command("list")
def operator_list(config: ConfigOpt = None) -> None:
    """List console operators."""
    table = Table("username", "name", "agency", "role")
    for op in _transaction(_settings(config), lambda repo: repo.operators()):
        table.add_row(op.username, op.name, op.agency, op.role.value)
    console.print(table)


PkiDir = Annotated[Path, typer.Option("--dir", help="PKI directory")]


@pki_app.command("init")
def pki_init(
    directory: PkiDir = Path("var/pki"),
    name: Annotated[str, typer.Option(help="The CA's name")] = "bluelight development CA",
    days: Annotated[int, typer.Option(help="Validity in days")] = 3650,
    force: Annotated[bool, typer.Option(help="Replace an existing CA")] = False,
) -> None:
    """Create a certificate authority (EC P-256, self-signed) in the PKI directory."""
    from bluelight.hub.adapters import pki

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
    from bluelight.hub.adapters import pki

    if server == (agency_id is not None):
        err.print("error: give an AGENCY_ID or --server (not both)")
        raise typer.Exit(2)
    if agency_id is not None:
        try:
            check_agency_id(agency_id)
        except DomainError as exc:
            _refuse(exc)
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
    from bluelight.hub.adapters import pki

    try:
        serial = pki.serial_of(what)
    except ValueError:
        err.print(f"error: {what} is neither a certificate file nor a hex serial number")
        raise typer.Exit(2) from None
    pki.revoke(directory, serial)
    print(f"revoked {serial:x} in {directory / pki.REVOKED_FILE}")


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Hub-wide transfer performance (the hub operator's view)."""
    from bluelight.hub.services import report

    settings = _settings(config)
    transfers = _transaction(settings, lambda repo: repo.transfers_since(None))
    result = report.stats(transfers, settings.phone_baseline_s)
    if as_json:
        print(msgspec.json.encode(result).decode())
        return
    table = Table("sender", "recipient", "transfers", "accepted", "rejected", "overdue",
                  "deliver p50 s", "decide p50 s", "decide p90 s")
    for p in result.pairs:
        table.add_row(p.sender, p.recipient, str(p.transfers), str(p.accepted), str(p.rejected),
                      str(p.overdue), str(p.deliver_p50_s), str(p.decide_p50_s),
                      str(p.decide_p90_s))
    console.print(table)
    console.print(f"time saved against a {result.phone_baseline_s:.0f} s phone call: "
                  f"{result.time_saved_hours} h")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Hub port")] = 8000,
    seconds: Annotated[float | None, typer.Option(help="Stop after this long")] = None,
    data_dir: Annotated[Path, typer.Option(help="Demo data (wiped at start)")] = Path("var/demo"),
) -> None:
    """Run a South Wales hub with simulated police, fire, ambulance and coastguard."""
    from bluelight.sim import demo as demo_

    demo_.run(data_dir, port, seconds)


def _read_input(path: Path) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as exc:
        err.print(f"error: cannot read {path}: {exc.strerror}")
        raise typer.Exit(2) from None


def _codec_failure(exc) -> None:
    err.print(f"error: invalid {exc.detail}")
    for fault in exc.faults[:20]:
        err.print(f"  {fault.field}: {fault.fault}")
    raise typer.Exit(1)


@app.command()
def convert(
    file: Annotated[Path, typer.Argument(help="Input file, or - for standard input")],
    from_: Annotated[str | None, typer.Option("--from", help="Input format (default: detect)")] = None,
    to: Annotated[str, typer.Option("--to", help="Output format")] = "bluelight",
) -> None:
    """Translate a message between standards (bluelight, eido, edxl-de, cap, mait-xml,
    methane). Fields the output cannot carry are listed on standard error."""
    from bluelight.hub.adapters.codecs import CodecError
    from bluelight.hub.adapters.codecs.registry import codec, detect

    data = _read_input(file)
    try:
        source = from_ or detect(data)
        decoded = codec(source).decode(data)
        encoded = codec(to).encode(decoded.native)
    except CodecError as exc:
        _codec_failure(exc)
    sys.stdout.buffer.write(encoded.data)
    if not encoded.data.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    for side, losses in (("input", decoded.losses), ("output", encoded.losses)):
        if losses:
            err.print(f"not carried ({source if side == 'input' else to}): {', '.join(losses)}")


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Input file, or - for standard input")],
    format_: Annotated[str | None, typer.Option("--format", help="Format (default: detect)")] = None,
) -> None:
    """Check a message: detect its format, validate it, and say what it carries."""
    from bluelight.hub.adapters.codecs import CodecError
    from bluelight.hub.adapters.codecs.registry import codec, detect

    data = _read_input(file)
    try:
        name = format_ or detect(data)
        decoded = codec(name).decode(data)
    except CodecError as exc:
        _codec_failure(exc)
    native = decoded.native
    what = native.reference or native.acknowledges or ""
    print(f"valid {name}: {native.kind} {what}".rstrip())
    if decoded.losses:
        print(f"not carried into bluelight: {', '.join(decoded.losses)}")


@app.command("openapi")
def openapi_cmd(
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout")] = None,
) -> None:
    """Print the hub's OpenAPI document."""
    from bluelight.kernel import openapi

    text = json.dumps(openapi.document(), indent=2)
    if out:
        out.write_text(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    app()
