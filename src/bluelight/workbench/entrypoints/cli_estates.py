"""`bluelight estates`: the estates, fleet and workforce data tool on the command line.

The dataset "main" starts with the Audit Wales figures (Exhibits 3, 5 and 6) the first
time it is used, so `bluelight estates report --json` on a fresh data directory prints
the published totals. "sample" is a synthetic list of buildings for trying `within` and
`opportunities`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bluelight.kernel.errors import DomainError
from bluelight.workbench.entrypoints import command_formats, command_workbench
from bluelight.workbench.services.estates import Estates

app = typer.Typer(help="Estates, fleet and workforce of emergency services (Audit Wales "
                       "Exhibits 3-6), distances and co-location opportunities.",
                  no_args_is_help=True)
out = Console(highlight=False)

err = Console(stderr=True, markup=False, highlight=False)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]
DatasetOpt = Annotated[str, typer.Option("--dataset", help="main (default), sample (synthetic) "
                                                         "or your own")]
# Files with more data rows than this show a progress bar while they are read.
PROGRESS_ROWS = 2000


def _estates(ctx: typer.Context, config: Path | None) -> Estates:
    return command_workbench(ctx, config).estates


def _run(fn, *args, **kw) -> Any:
    """Bad input: one line per fault on stderr, naming the field, and exit 2."""
    try:
        return fn(*args, **kw)
    except DomainError as exc:
        if exc.faults:
            for f in exc.faults:
                err.print(f"error: {f.field}: {f.fault}")
            if len(exc.faults) > 1:
                err.print(f"error: {exc.detail.split(':', 1)[0]}")
        else:
            err.print(f"error: {exc.detail}")
        raise typer.Exit(2) from None


def _json(value: Any) -> None:
    sys.stdout.write(msgspec.json.format(msgspec.json.encode(value)).decode() + "\n")


@app.command("load-fixture")
def load_fixture(ctx: typer.Context, config: ConfigOpt = None,
                 as_json: JsonOpt = False) -> None:
    """Load the shipped Audit Wales figures (dataset main) and the synthetic sample
    buildings (dataset sample). Safe to run again."""
    results = _run(_estates(ctx, config).load_fixture)
    if as_json:
        return _json(results)
    for r in results:
        out.print(f"{r.dataset}: {r.kind}: {r.imported} rows, "
                  f"{len(r.organisations)} organisations")


@app.command("import")
def import_csv(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="buildings, counts, fleet or workforce")],
    file: Annotated[Path, typer.Argument(help="The CSV file (UTF-8, header row first)",
                                         dir_okay=False)],
    dataset: DatasetOpt = "main",
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Store the valid rows and list the invalid ones (an "
        "organisation with an invalid row is skipped whole). Default: any invalid row "
        "stores nothing")] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a CSV file. Each organisation in it has its lines of that kind replaced."""
    csv = command_formats(ctx).estates_csv
    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"error: file: cannot read {file}: {exc.strerror or exc}")
        raise typer.Exit(2) from None
    text = _run(csv.decode_text, data)
    estates = _estates(ctx, config)
    total = max(csv.count_lines(text) - 1, 0)
    with Progress(TextColumn("reading {task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err, transient=True,
                  disable=as_json or total < PROGRESS_ROWS) as progress:
        task = progress.add_task(file.name, total=total)
        result = _run(estates.import_csv, kind, text, dataset, skip_invalid=skip_invalid,
                      progress=lambda n: progress.update(task, completed=n))
    if as_json:
        return _json(result)
    out.print(f"{result.dataset}: imported {result.imported} of {result.rows} {kind} rows "
              f"for {len(result.organisations)} organisations")
    for f in result.skipped:
        err.print(f"skipped: row {f.row}: {f.column}: {f.fault}")
    if result.skipped_organisations:
        err.print("not imported (had an invalid row): "
                  + ", ".join(result.skipped_organisations))


@app.command()
def report(ctx: typer.Context, dataset: DatasetOpt = "main", config: ConfigOpt = None,
           as_json: JsonOpt = False) -> None:
    """Buildings, shared buildings and co-location share per organisation and in total
    (Exhibit 3), with fleet (Exhibit 5) and workforce (Exhibit 6)."""
    r = _run(_estates(ctx, config).report, dataset)
    if as_json:
        return _json(r)
    title = f"Buildings and co-location ({r.dataset}{', SYNTHETIC' if r.synthetic else ''})"
    t = Table(title=title)
    for col in ("Organisation", "Service", "Buildings", "Shared", "Shared %", "From"):
        t.add_column(col, justify="left" if col in ("Organisation", "Service", "From")
                     else "right")
    for o in r.organisations:
        t.add_row(o.organisation, o.service, f"{o.buildings:,}", f"{o.shared:,}",
                  f"{o.shared_pct:.1f}%", o.basis)
    t.add_row("Total", "", f"{r.total.buildings:,}", f"{r.total.shared:,}",
              f"{r.total.shared_pct:.1f}%", "", style="bold")
    out.print(t)
    if r.fleet.organisations:
        f = Table(title="Fleet")
        for col in ("Organisation", "Vehicles", "Maintenance (annual)", "Per vehicle",
                    "Mileage"):
            f.add_column(col, justify="left" if col == "Organisation" else "right")
        for x in [*r.fleet.organisations, None]:
            row = x or r.fleet.total
            f.add_row(x.organisation if x else "Total", f"{row.vehicles:,}",
                      f"£{row.maintenance_cost:,.0f}", f"£{row.cost_per_vehicle:,}",
                      f"{row.mileage:,}" if row.mileage is not None else "",
                      style=None if x else "bold")
        out.print(f)
    if r.workforce.organisations:
        w = Table(title="Workforce")
        w.add_column("Organisation")
        for role in r.workforce.roles:
            w.add_column(role, justify="right")
        w.add_column("Total", justify="right")
        for x in r.workforce.organisations:
            w.add_row(x.organisation, *(f"{x.roles[k]:,}" if k in x.roles else ""
                                        for k in r.workforce.roles), f"{x.total:,}")
        w.add_row("Total", *(f"{r.workforce.total.roles[k]:,}" for k in r.workforce.roles),
                  f"{r.workforce.total.total:,}", style="bold")
        out.print(w)
    if r.hint:
        err.print(f"hint: {r.hint}")


@app.command()
def within(
    ctx: typer.Context,
    radius: Annotated[float, typer.Option(help="The distance")] = 10.0,
    unit: Annotated[str, typer.Option(help="km, mi or m")] = "km",
    place: Annotated[str | None, typer.Option(help="A place (see `estates places`)")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude, with --lon")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude, with --lat")] = None,
    easting: Annotated[float | None, typer.Option(help="BNG easting, with --northing")] = None,
    northing: Annotated[float | None, typer.Option(help="BNG northing")] = None,
    dataset: DatasetOpt = "main",
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Count the buildings within a distance of a place (as the crow flies)."""
    estates = _estates(ctx, config)
    centre = _run(estates.centre, place=place, lat=lat, lon=lon, easting=easting,
                  northing=northing)
    r = _run(estates.within, centre, radius, unit, dataset)
    if as_json:
        return _json(r)
    where = r.centre.name or f"{r.centre.lat:.5f}, {r.centre.lon:.5f}"
    out.print(f"{r.count} buildings within {r.radius:g} {r.unit} of {where} "
              f"(dataset {r.dataset}{', SYNTHETIC' if r.synthetic else ''})")
    t = Table()
    for col in ("km", "Organisation", "Service", "Building", "Shared with"):
        t.add_column(col, justify="right" if col == "km" else "left")
    for n in r.buildings:
        b = n.building
        t.add_row(f"{n.distance_km:.2f}", b.organisation, b.service, b.name,
                  "; ".join(b.shared_with))
    if r.buildings:
        out.print(t)
    if r.hint:
        err.print(f"hint: {r.hint}")


@app.command()
def opportunities(
    ctx: typer.Context,
    km: Annotated[float, typer.Option(help="At most this far apart, in km")] = 2.0,
    limit: Annotated[int, typer.Option(help="At most this many pairs")] = 20,
    dataset: DatasetOpt = "main",
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Co-location opportunities: buildings of different services within KM of each
    other, not already shared, nearest first."""
    r = _run(_estates(ctx, config).opportunities, km, limit, dataset)
    if as_json:
        return _json(r)
    t = Table(title=f"Co-location opportunities within {r.km:g} km "
                    f"({r.dataset}{', SYNTHETIC' if r.synthetic else ''})")
    for col in ("#", "km", "Building", "Other building"):
        t.add_column(col, justify="right" if col in ("#", "km") else "left")
    for o in r.opportunities:
        t.add_row(str(o.rank), f"{o.distance_km:.2f}",
                  f"{o.a.name} ({o.a.organisation}, {o.a.service})",
                  f"{o.b.name} ({o.b.organisation}, {o.b.service})")
    out.print(t)
    if r.hint:
        err.print(f"hint: {r.hint}")


@app.command()
def places(ctx: typer.Context, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """The places `within --place` knows."""
    found = _estates(ctx, config).places()
    if as_json:
        return _json(found)
    for p in found:
        out.print(f"{p.name}: E {p.easting:.0f} N {p.northing:.0f} "
                  f"({p.lat:.5f}, {p.lon:.5f}) from {p.source}")
