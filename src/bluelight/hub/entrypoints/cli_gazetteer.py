"""`bluelight gazetteer ...`: load, query and fake the OS Open UPRN gazetteer."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from bluelight.hub.entrypoints.cli_root import root

app = typer.Typer(help="UPRN gazetteer (OS Open UPRN)", no_args_is_help=True)

DEFAULT_DB = Path("var/gazetteer.sqlite")
DbOption = Annotated[
    Path,
    typer.Option(
        "--db", envvar="BLUELIGHT_GAZETTEER_PATH", help="Gazetteer SQLite file.",
        dir_okay=False,
    ),
]


def _fail(message: str) -> typer.Exit:
    # Operators run these by hand: a one-line reason, not a traceback.
    console = Console(stderr=True, soft_wrap=True)
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, emoji=False)
    return typer.Exit(1)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="OS Open UPRN CSV (osopenuprn_*.csv).")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Load (or reload) the gazetteer from an OS Open UPRN CSV. Safe to rerun."""
    if not file.is_file():
        raise _fail(f"{file}: no such file")
    gazetteer = root().gazetteer_files()
    console = Console(soft_wrap=True)
    progress = Progress(
        TextColumn("importing"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=Console(stderr=True),
    )
    with progress:
        task = progress.add_task("import", total=file.stat().st_size)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            result = gazetteer.import_csv(file, db, on_progress)
        except gazetteer.import_error as exc:
            raise _fail(str(exc)) from None
        except (OSError, sqlite3.Error) as exc:
            raise _fail(f"cannot write {db}: {exc}") from None
    console.print(f"imported {result.rows:,} rows into {db} in {result.seconds:.1f}s",
                  highlight=False, markup=False)
    if result.rejected:
        console.print(f"rejected {result.rejected:,} rows; first errors:", highlight=False,
                      markup=False)
        for error in result.errors:
            console.print(f"  {error}", highlight=False, markup=False)


@app.command()
def lookup(
    uprn: Annotated[int, typer.Argument(help="Unique Property Reference Number.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Print the coordinates of one UPRN."""
    try:
        point = root().gazetteer_files().lookup(db, uprn)
    except sqlite3.Error as exc:
        raise _fail(f"cannot read {db}: {exc}") from None
    if point is None:
        raise _fail(f"UPRN {uprn} not found in {db}")
    typer.echo(
        f"UPRN {uprn}: easting {point.easting:.2f} northing {point.northing:.2f} "
        f"lat {point.lat:.7f} lon {point.lon:.7f}"
    )


@app.command()
def generate(
    file: Annotated[Path, typer.Argument(help="CSV file to write.", dir_okay=False)],
    rows: Annotated[int, typer.Option("--rows", min=0, help="Number of addresses.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 1,
) -> None:
    """Write a synthetic South Wales OS Open UPRN CSV for tests and demos."""
    try:
        root().gazetteer_files().generate(file, rows, seed)
    except OSError as exc:
        raise _fail(f"cannot write {file}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {rows:,} rows to {file}")
