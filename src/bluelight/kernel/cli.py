"""What every `bluelight` command group shares, whichever product it belongs to: the
consoles, the --config option, loading settings, refusing bad input, and naming the
actor for the audit log. Nothing here opens a database or picks an adapter: a command
gets those from the composition root (`bluelight.bootstrap`, installed by
`bluelight.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import msgspec
import typer
from rich.console import Console

from bluelight.kernel.errors import DomainError, validation_fault
from bluelight.kernel.settings import ConfigError, Settings, check_settings, load_settings

console = Console()
err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)  # one line each
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file")]


def settings(config: Path | None, **overrides) -> Settings:
    """Settings from the file and environment; a broken config exits 2."""
    try:
        loaded = load_settings(config)
        changes = {k: v for k, v in overrides.items() if v is not None}
        if changes:
            loaded = msgspec.structs.replace(loaded, **changes)
            check_settings(loaded)
    except ConfigError as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(2) from None
    return loaded


def refuse(exc: msgspec.ValidationError | DomainError) -> NoReturn:
    """Bad input on the command line: one clear line naming the field, exit 2."""
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
