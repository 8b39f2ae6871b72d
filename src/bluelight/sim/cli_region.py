"""`bluelight region up|down`: a whole regional cluster on this machine's loopback, for
trying the cluster out and for the fault tests' and benchmark's setting (issue 12). A
real deployment runs each piece on its own host: see the operator guide, "Running a
region"."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from bluelight.kernel.cli import console, err

app = typer.Typer(help="A regional cluster on loopback: 3 hub nodes, 3 NATS, PostgreSQL "
                       "primary + synchronous standby, HAProxy.", no_args_is_help=True)

DirOpt = Annotated[Path, typer.Option("--dir", help="The region's folder (data and logs)")]


@app.command()
def up(
    directory: DirOpt = Path("var/region"),
    hubs: Annotated[int, typer.Option(help="Hub nodes")] = 3,
) -> None:
    """Start the region and print its addresses and logins. It keeps running after this
    command returns; `bluelight region down` stops it."""
    from bluelight.sim.region import STATE, LocalRegion

    if (directory / STATE).exists():
        err.print(f"error: a region is already recorded in {directory} "
                  f"(bluelight region down --dir {directory} first)")
        raise typer.Exit(2)
    region = LocalRegion(directory, hubs=hubs)
    with console.status("starting PostgreSQL, NATS, the hub nodes and HAProxy..."):
        try:
            region.up()
        except (OSError, RuntimeError, TimeoutError) as exc:
            err.print(f"error: the region did not start: {exc}")
            region.down()
            raise typer.Exit(1) from None
    pg = region.pg
    say = partial(console.print, soft_wrap=True)  # addresses and URLs stay on one line
    say(f"[bold]region up[/bold] in {directory}")
    say(f"  front door (HAProxy)  {region.url}   stats {region.front.stats_url}")
    for node in region.nodes:
        say(f"  hub node {node.name:12} {node.url}   log {node.log}")
    say(f"  NATS JetStream        {', '.join(region.nats.urls)}")
    for server in pg.servers:
        say(f"  PostgreSQL {server.name:10} 127.0.0.1:{server.port}")
    say(f"  database login        user {pg.user}  password {pg.password}")
    say(f"  store URL             {pg.dsn}")
    say("Add agencies and operators against the region's database, e.g.\n"
        f"  BLUELIGHT_STORE='{pg.dsn}' bluelight agency add ...\n"
        f"Stop it with: bluelight region down --dir {directory}")


@app.command()
def down(directory: DirOpt = Path("var/region")) -> None:
    """Stop a region started by `region up` (its data stays in the folder)."""
    from bluelight.sim.region import STATE, stop_recorded

    if not (directory / STATE).exists():
        err.print(f"error: no running region recorded in {directory}")
        raise typer.Exit(2)
    for name in stop_recorded(directory):
        console.print(f"stopped {name}")
