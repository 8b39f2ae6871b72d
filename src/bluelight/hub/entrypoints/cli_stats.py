"""`bluelight stats`: the hub operator's view of transfer performance."""

from __future__ import annotations

from typing import Annotated

import msgspec
import typer
from rich.table import Table

from bluelight.hub.entrypoints.cli_root import administer
from bluelight.kernel.cli import ConfigOpt, console, settings


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Hub-wide transfer performance (the hub operator's view)."""
    result = administer(settings(config), lambda admin: admin.stats())
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
