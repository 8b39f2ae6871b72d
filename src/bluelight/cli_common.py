"""What every `bluelight` command group shares: the consoles, the --config option,
loading settings, refusing bad input, and naming the actor for the audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import msgspec
import typer
from rich.console import Console

from bluelight.kernel.settings import ConfigError, Settings, load_settings

console = Console()
err = Console(stderr=True, markup=False, highlight=False)
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file")]


def settings(config: Path | None, **overrides) -> Settings:
    """Settings from the file and environment; a broken config exits 2."""
    try:
        loaded = load_settings(config)
    except ConfigError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from None
    changes = {k: v for k, v in overrides.items() if v is not None}
    return msgspec.structs.replace(loaded, **changes) if changes else loaded


def refuse(exc: Exception) -> None:
    """Bad input on the command line: one clear line naming the field, exit 2."""
    from bluelight.kernel.errors import validation_fault

    if isinstance(exc, msgspec.ValidationError):
        fault = validation_fault(str(exc))
        err.print(f"error: {fault.field}: {fault.fault}")
    else:
        err.print(f"error: {exc.detail}")
    raise typer.Exit(2) from None


def cli_actor() -> str:
    """How the audit log names a change made at the command line: by the OS account."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def transaction(config: Settings, job):
    """One job against the hub's database (migrated first), as the hub would run it. A
    rule broken (unknown id, conflict) is one line on stderr and exit 1."""
    from bluelight.hub.adapters.storage import migrate
    from bluelight.hub.adapters.storage.sqlite_store import transaction as run
    from bluelight.kernel.errors import DomainError

    migrate.upgrade(config.db)
    try:
        return run(config.db, job)
    except DomainError as exc:
        err.print(f"error: {exc.detail}")
        raise typer.Exit(1) from None
