"""`bluelight agency ...`: the agency directory and the agencies' credentials (and, as
`bluelight agency key`, their signing keys: `cli_keys`). Every change is audited under
the OS account."""

from __future__ import annotations

import time
from typing import Annotated

import msgspec
import typer
from rich.table import Table

from bluelight.hub.domain.agency import Agency, MessageFormat, Service, check_agency_id
from bluelight.hub.entrypoints.cli_keys import app as keys_app
from bluelight.hub.entrypoints.cli_root import administer
from bluelight.hub.services import credentials
from bluelight.kernel.cli import ConfigOpt, cli_actor, console, refuse, settings
from bluelight.kernel.errors import DomainError

agency_app = typer.Typer(help="The agency directory.", no_args_is_help=True)


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
    loaded = settings(config)
    try:
        check_agency_id(agency_id)
        agency = msgspec.convert(
            {"id": agency_id, "name": name, "service": service.value, "phone": phone,
             "ack_deadline_s": ack_deadline, "decision_deadline_s": decision_deadline,
             "format": format_.value},
            Agency,
        )
    except (msgspec.ValidationError, DomainError) as exc:
        refuse(exc)
    token = administer(loaded, lambda admin: admin.register_agency(agency, cli_actor()))
    console.print(f"registered {agency_id}")
    console.print("credential (store it now; it is not shown again):")
    print(token)


@agency_app.command("token")
def agency_token(
    agency_id: Annotated[str, typer.Argument(metavar="ID")], config: ConfigOpt = None
) -> None:
    """Issue another credential for an agency (e.g. for rotation)."""
    print(administer(settings(config),
                     lambda admin: admin.issue_credential(agency_id, cli_actor())))


@agency_app.command("tokens")
def agency_tokens(
    agency_id: Annotated[str, typer.Argument(metavar="ID")], config: ConfigOpt = None
) -> None:
    """List an agency's credentials by key id (the secrets are never shown again)."""
    table = Table("key id", "created", "revoked")
    fmt = lambda t: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) if t else ""  # noqa: E731
    for key_id, created, revoked in administer(
            settings(config), lambda admin: admin.credentials(agency_id)):
        table.add_row(key_id, fmt(created), fmt(revoked))
    console.print(table)


@agency_app.command("revoke")
def agency_revoke(
    key_id: Annotated[str, typer.Argument(help="Key id (the part after bl_), or the token")],
    config: ConfigOpt = None,
) -> None:
    """Revoke a credential at once (rotate first with `bluelight agency token`)."""
    parts = credentials.split(key_id)
    administer(settings(config), lambda admin: admin.revoke_credential(
        parts[0] if parts else key_id, cli_actor()))
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
    agency = administer(settings(config), lambda admin: admin.change_agency(
        agency_id, cli_actor(), name=name, phone=phone, ack_deadline_s=ack_deadline,
        format=format_, decision_deadline_s=decision_deadline))
    console.print(msgspec.json.encode(agency).decode())


@agency_app.command("subscribe")
def agency_subscribe(
    agency_id: Annotated[str, typer.Argument(metavar="ID", help="The receiving agency")],
    to: Annotated[str, typer.Option(help="The alert source, e.g. an environment agency")],
    config: ConfigOpt = None,
) -> None:
    """Deliver a source's public alerts (CAP, no addressees) to this agency."""
    administer(settings(config), lambda admin: admin.subscribe(agency_id, to, cli_actor()))
    console.print(f"{agency_id} now receives alerts from {to}")


@agency_app.command("list")
def agency_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """List agencies."""
    agencies = administer(settings(config), lambda admin: admin.agencies())
    if as_json:
        print(msgspec.json.encode(agencies).decode())
        return
    table = Table("id", "name", "service", "phone", "ack s", "decide s")
    for a in agencies:
        table.add_row(a.id, a.name, a.service.value, a.phone, str(a.ack_deadline_s or "default"),
                      str(a.decision_deadline_s or "default"))
    console.print(table)


agency_app.add_typer(keys_app, name="key")
