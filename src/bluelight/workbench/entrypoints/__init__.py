"""The collaboration workbench's entry points: its HTTP API (one module per part), its
web pages and its command groups.

Each API module declares an `api` (the same declarative `Api` as the hub's own
endpoints), so validation, problem details and the OpenAPI document work the same way.

No entry point builds an adapter. The composition root (`bluelight.bootstrap`) builds the
`Workbench`; handlers reach it through `workbench_of(call)` and commands through
`command_workbench(ctx, config)` / `command_formats(ctx)`, the only places that know where
it is kept."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bluelight.kernel.routing import Api, Call
from bluelight.workbench.services.workbench import Formats, Workbench

if TYPE_CHECKING:
    import typer


def workbench_of(call: Call[Workbench]) -> Workbench:
    """The server's workbench (built once, kept on its `Runtime`): the context the
    workbench's APIs are mounted with (`bluelight.app`)."""
    return call.ctx


class CommandRoot(Protocol):
    """What the `bluelight` command line gives the workbench's command groups, as their
    context's `obj` (`bluelight.cli.WorkbenchCommands`). It comes from outside: the
    workbench may not import the composition root, which builds the hub as well."""

    def formats(self) -> Formats: ...
    def open(self, config: Path | None) -> Workbench: ...  # exits 2 on a broken config


def _command_root(ctx: typer.Context) -> CommandRoot:
    root = ctx.obj
    if root is None:
        raise RuntimeError("the workbench's commands need the composition root as their "
                           "context's obj: run them under `bluelight` (bluelight.cli)")
    return root


def command_workbench(ctx: typer.Context, config: Path | None) -> Workbench:
    """The workbench for one command: settings from `config`, database migrated."""
    return _command_root(ctx).open(config)


def command_formats(ctx: typer.Context) -> Formats:
    """The file formats, without settings or database (to check input first)."""
    return _command_root(ctx).formats()


def apis() -> list[Api]:
    from bluelight.workbench.entrypoints import assessment_api, estates_api, register_api

    return [register_api.api, estates_api.api, assessment_api.api]
