"""`bluelight register ...`: the register of collaborations from the command line."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import msgspec
import typer
from rich.console import Console
from rich.table import Table

from bluelight.kernel.errors import DomainError
from bluelight.workbench.domain.collaboration import Category, Status
from bluelight.workbench.entrypoints import command_formats, command_workbench
from bluelight.workbench.services.ports import SeedsUnreadable
from bluelight.workbench.services.register import Filters, Register

app = typer.Typer(help="The register of collaborations, board view and performance report.",
                  no_args_is_help=True)
console = Console()

err = Console(stderr=True, markup=False, highlight=False)
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file")]
T = TypeVar("T")


def _register(ctx: typer.Context, config: Path | None) -> Register:
    """The register of the workbench database (migrated when the workbench opens)."""
    return command_workbench(ctx, config).register


def _run(register: Register, use: Callable[[Register], T]) -> T:
    """One use case; a rule broken is one line on stderr: exit 2 for bad input, else 1."""
    try:
        return use(register)
    except DomainError as exc:
        err.print(f"error: {exc.detail}")
        raise typer.Exit(2 if exc.status == 422 else 1) from None


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        err.print("error: as_of: must be a date as YYYY-MM-DD")
        raise typer.Exit(2) from None


@app.command("import-seeds")
def import_seeds(
    ctx: typer.Context,
    seeds: Annotated[Path | None, typer.Option(
        "--seeds", help="Folder of seed documents (default: $BLUELIGHT_SEEDS_DIR, else "
                        "../shared/seeds)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Import the collaborations of the national overview and the Audit Wales report.
    Idempotent: entries already in the register are left as they are."""
    seed_docs = command_formats(ctx).seeds
    directory = seed_docs.find_directory(seeds)
    if directory is None or not directory.is_dir():
        hint = directory or f"set --seeds or {seed_docs.env}"
        err.print(f"error: seeds: no seed folder found ({hint})")
        raise typer.Exit(2)
    try:
        seed_set = seed_docs.load(directory, time.time())
    except SeedsUnreadable as exc:
        err.print(f"error: seeds: {exc}")
        raise typer.Exit(2) from None
    result = _run(_register(ctx, config), lambda r: r.import_seeds(seed_set))
    if as_json:
        print(msgspec.json.encode(result).decode())
        return
    console.print(f"seed documents: {', '.join(result.documents)}")
    console.print(f"entries in the documents: {result.found}; created {result.created}; "
                  f"already present {result.unchanged}; workstreams created "
                  f"{result.workstreams_created}")
    console.print(f"register now holds {result.collaborations} collaborations in "
                  f"{result.areas} areas, with {result.benefits} benefits")


@app.command()
def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Counts of the register: collaborations, areas, benefits..."""
    result = _run(_register(ctx, config), lambda r: r.stats())
    if as_json:
        print(msgspec.json.encode(result).decode())
        return
    table = Table("measure", "count", title="Register")
    for name in ("collaborations", "areas", "benefits", "actuals", "workstreams"):
        table.add_row(name, str(getattr(result, name)))
    for status, n in sorted(result.by_status.items()):
        table.add_row(f"status: {status}", str(n))
    console.print(table)


@app.command("list")
def list_(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option(help="Only this area")] = None,
    category: Annotated[Category | None, typer.Option(help="Only this category")] = None,
    status: Annotated[Status | None, typer.Option(help="Only this status")] = None,
    text: Annotated[str | None, typer.Option("--search", "-q", help="Text to find")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """List collaborations."""
    f = Filters(text=text, area=area, category=category.value if category else None,
                status=status.value if status else None)
    items = _run(_register(ctx, config), lambda r: r.search(f))
    if as_json:
        print(msgspec.json.encode(items).decode())
        return
    table = Table("id", "area", "title", "category", "status", "benefits",
                  title=f"{len(items)} collaborations")
    for c in items:
        table.add_row(c.id, c.area, c.title, c.category.value, c.status.value,
                      str(len(c.benefits)))
    console.print(table)


@app.command()
def show(
    ctx: typer.Context,
    collaboration_id: Annotated[str, typer.Argument(metavar="ID")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show one collaboration with its partners, leaders, status history and benefits."""
    register = _register(ctx, config)
    c = asyncio.run(register.with_live(_run(register, lambda r: r.get(collaboration_id))))
    if as_json:
        print(msgspec.json.encode(c).decode())
        return
    console.print(f"[bold]{c.title}[/bold]  ({c.id})")
    console.print(f"area: {c.area}   category: {c.category.value}   status: {c.status.value}"
                  f"   workstream: {c.workstream or '-'}")
    if c.start_date or c.target_date:
        console.print(f"start: {c.start_date or '-'}   target: {c.target_date or '-'}")
    console.print(c.description, markup=False)
    if c.provenance:
        console.print(f"source: {c.provenance.title} [{c.provenance.document}], "
                      f"{c.provenance.section}", markup=False)
    if c.partners:
        console.print("partners: " + "; ".join(f"{p.organisation} ({p.service.value})"
                                                for p in c.partners), markup=False)
    people = Table("name", "role", "organisation", "contact", title="Leaders and contacts")
    for p in c.people:
        people.add_row(p.name, p.role, p.organisation or "",
                       " ".join(x for x in (p.email, p.phone) if x))
    if c.people:
        console.print(people)
    benefits = Table("measure", "unit", "baseline", "target", "latest actual", "live",
                     title="Benefits")
    for b in c.benefits:
        latest = b.latest
        benefits.add_row(b.measure, b.unit.value, _num(b.baseline),
                         _num(b.target) + (f" by {b.target_date}" if b.target_date else ""),
                         f"{_num(latest.value)} ({latest.at})" if latest else "-",
                         "yes" if b.live else "")
    if c.benefits:
        console.print(benefits)
    history = Table("when", "status", "by", "why", title="Status history")
    for h in c.status_history:
        history.add_row(time.strftime("%Y-%m-%d %H:%M", time.gmtime(h.at)), h.status.value,
                        h.by, h.reason or "")
    console.print(history)


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:,.10g}"


@app.command("board")
def board_cmd(
    ctx: typer.Context,
    as_of: Annotated[str | None, typer.Option(help="Judge dates as of YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    config: ConfigOpt = None,
) -> None:
    """The board's monitoring report: workstreams, projects, SMART and overdue flags."""
    board = command_workbench(ctx, config).board
    result = asyncio.run(board.report(_as_of(as_of)))
    if as_json:
        print(msgspec.json.encode(result).decode())
        return
    for w in result.workstreams:
        table = Table("project", "area", "status", "SMART", "flags",
                      title=f"{w.name}: {len(w.projects)} projects, {w.smart_projects} SMART")
        for p in w.projects:
            table.add_row(p.title, p.area, p.status.value, "yes" if p.smart else "no",
                          ", ".join(sorted({f.code for f in p.flags})))
        console.print(table)
    console.print(f"{result.projects} projects; {result.smart_projects} SMART; "
                  f"{result.overdue} overdue; {result.off_target} off target")


@app.command()
def report(
    ctx: typer.Context,
    format_: Annotated[str, typer.Option("--format", help="html, csv, json or pdf")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Write here (default: stdout; "
                                                           "required for pdf)")] = None,
    as_of: Annotated[str | None, typer.Option(help="As of YYYY-MM-DD")] = None,
    config: ConfigOpt = None,
) -> None:
    """The public performance report: roll-ups by workstream, area and category."""
    from bluelight.workbench.services import performance

    if format_ not in ("html", "csv", "json", "pdf"):
        err.print("error: format: must be html, csv, json or pdf")
        raise typer.Exit(2)
    if format_ == "pdf" and out is None:
        err.print("error: out: a PDF needs --out FILE")
        raise typer.Exit(2)
    workbench = command_workbench(ctx, config)
    result = asyncio.run(workbench.performance.report(_as_of(as_of)))
    if format_ == "json":
        data: bytes = msgspec.json.encode(result)
    elif format_ == "csv":
        data = performance.to_csv(result).encode()
    else:
        page = performance.to_html(result)
        data = page.encode()
        if format_ == "pdf":
            try:
                data = performance.to_pdf(page)
            except performance.PdfUnavailable as exc:
                err.print(f"error: format: {exc}")
                raise typer.Exit(1) from None
    if out is None:
        typer.echo(data.decode())
        return
    out.write_bytes(data)
    console.print(f"wrote {out} ({len(data):,} bytes)")
