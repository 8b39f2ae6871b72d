"""`bluelight operator ...`: the console's operators, each of one agency."""

from __future__ import annotations

from typing import Annotated

import msgspec
import typer
from rich.table import Table

from bluelight.hub.domain.operator import Operator
from bluelight.hub.entrypoints.cli_root import administer
from bluelight.hub.services import operators
from bluelight.kernel.cli import ConfigOpt, cli_actor, console, refuse, settings
from bluelight.kernel.errors import DomainError

operator_app = typer.Typer(help="Console operators.", no_args_is_help=True)


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

    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        operator = msgspec.convert({"username": username, "name": name, "agency": agency,
                                    "role": role}, Operator)
        # Hashed here, so that a password too short is refused before anything is stored.
        password_hash = operators.hash_password(password)
    except (msgspec.ValidationError, DomainError) as exc:
        refuse(exc)
    administer(settings(config),
               lambda admin: admin.add_operator(operator, password_hash, cli_actor()))
    console.print(f"operator {username} added to {agency}")
    if generated:
        console.print("password (store it now; it is not shown again):")
        print(password)


@operator_app.command("list")
def operator_list(config: ConfigOpt = None) -> None:
    """List console operators."""
    table = Table("username", "name", "agency", "role")
    for op in administer(settings(config), lambda admin: admin.operators()):
        table.add_row(op.username, op.name, op.agency, op.role.value)
    console.print(table)
