"""`bluelight assessment ...`: the Audit Wales self-assessment checklist from the command
line: list the statements, import answers, show and submit an assessment, compare years
or respondents, and draw a radar chart."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import msgspec
import typer
from rich.console import Console
from rich.table import Column, Table

from bluelight.kernel.errors import DomainError, Invalid
from bluelight.workbench.domain.assessment import CHECKLIST, statement
from bluelight.workbench.entrypoints import command_formats, command_workbench
from bluelight.workbench.services.assessment import Radar, SelfAssessments

app = typer.Typer(help="The Audit Wales self-assessment checklist (Appendix 4).",
                  no_args_is_help=True)
console = Console(highlight=False)

err = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="TOML settings file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Plain JSON on stdout")]
DraftsOpt = Annotated[bool, typer.Option("--drafts", help="Compare drafts too, not only "
                                         "submitted assessments")]
T = TypeVar("T")


def _assessments(ctx: typer.Context, config: Path | None) -> SelfAssessments:
    """The self-assessments of the workbench database (migrated when it opens)."""
    return command_workbench(ctx, config).assessments


def _use(assessments: SelfAssessments, use: Callable[[SelfAssessments], T]) -> T:
    """Run one use case. Bad input exits 2 naming the field; a missing or conflicting
    record exits 1."""
    try:
        return use(assessments)
    except Invalid as exc:
        _fail(exc.detail, 2)
    except DomainError as exc:
        _fail(exc.detail, 1)


def _run(ctx: typer.Context, config: Path | None, use: Callable[[SelfAssessments], T]) -> T:
    return _use(_assessments(ctx, config), use)


def _fail(message: str, code: int) -> NoReturn:
    err.print(f"error: {message}")
    raise typer.Exit(code)


def _json(value) -> None:
    sys.stdout.write(msgspec.json.encode(value).decode() + "\n")


def _years(value: str) -> list[int]:
    try:
        years = [int(y) for y in value.split(",") if y.strip()]
    except ValueError:
        _fail(f"--years: {value!r} is not a comma-separated list of years", 2)
    if not years or any(not 2000 <= y <= 2100 for y in years):
        _fail("--years: give years between 2000 and 2100, e.g. 2022,2023", 2)
    return years


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:g}%"


def _points(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


@app.command("statements")
def statements(json: JsonOpt = False) -> None:
    """The 16 checklist statements, worded as in the report."""
    from bluelight.workbench.services.assessment import checklist

    if json:
        _json(checklist())
        return
    table = Table("id", "statement", title="Audit Wales self-assessment (Appendix 4): "
                  "answer Always (2), Sometimes (1) or Never (0)")
    for s in CHECKLIST:
        table.add_row(s.id, s.text)
    console.print(table)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Answers as .csv (one row per answer) or "
                                         ".json (as the API's NewAssessment, or a list)")],
    submit: Annotated[bool, typer.Option("--submit", help="Submit each assessment; all 16 "
                                         "statements must be answered")] = False,
    json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Create or update assessments from a file, all or nothing. Safe to rerun."""
    try:
        items = command_formats(ctx).assessment_files.read(file)
    except Invalid as exc:
        _fail(exc.detail, 2)
    outcome = _run(ctx, config, lambda s: s.import_(items, submit=submit))
    if json:
        _json(outcome)
        return
    console.print(f"created {len(outcome.created)}, updated {len(outcome.updated)}, "
                  f"unchanged {len(outcome.unchanged)}, submitted {len(outcome.submitted)}")
    for assessment_id in outcome.created + outcome.updated:
        console.print(f"  {assessment_id}")


@app.command("list")
def list_(
    ctx: typer.Context,
    partnership: Annotated[str | None, typer.Option(help="Only this partnership")] = None,
    year: Annotated[int | None, typer.Option(help="Only this year")] = None,
    json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Assessments, by partnership and year."""
    found = _run(ctx, config, lambda s: s.list(partnership, year))
    if json:
        _json(found)
        return
    table = Table(Column("id", no_wrap=True), "partnership", "year", "respondent", "status",
                  "answered", "score")
    for a in found:
        table.add_row(a.id, a.partnership, str(a.year),
                      f"{a.respondent.name} ({a.respondent.organisation})", a.status.value,
                      f"{a.answered}/16", _pct(a.percentage))
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, assessment_id: str, json: JsonOpt = False,
         config: ConfigOpt = None) -> None:
    """One assessment: each answer, its evidence and actions, and the score."""
    a = _run(ctx, config, lambda s: s.get(assessment_id))
    if json:
        _json(a)
        return
    r = a.respondent
    console.print(f"[bold]{a.partnership}[/] {a.year}: {r.name}, {r.organisation}"
                  + (f", {r.role}" if r.role else "") + f"  ({a.status.value})",
                  markup=True)
    table = Table("#", "statement", "rating", "evidence", "actions")
    for s in CHECKLIST:
        answer = a.answer(s.id)
        actions = "\n".join(
            f"{act.text}" + (f" [{act.owner}]" if act.owner else "")
            + (f" by {act.due.isoformat()}" if act.due else "")
            for act in (answer.actions if answer else []))
        table.add_row(str(s.number), s.label,
                      answer.rating.value.capitalize() if answer and answer.rating else "-",
                      answer.evidence if answer else "", actions)
    console.print(table, markup=False)
    sc = a.score
    console.print(f"score: {sc.points}/{sc.max_points} ({_pct(sc.percentage)}), "
                  f"{sc.answered} of {sc.statements} answered")
    if a.unanswered:
        console.print(f"unanswered: {', '.join(a.unanswered)}")


@app.command("submit")
def submit(ctx: typer.Context, assessment_id: str, config: ConfigOpt = None) -> None:
    """Submit a draft; every statement must be answered."""
    a = _run(ctx, config, lambda s: s.submit(assessment_id))
    console.print(f"submitted {a.id}: {_pct(a.score.percentage)}")


@app.command("compare")
def compare(
    ctx: typer.Context,
    partnership: Annotated[str, typer.Option(help="The partnership")],
    years: Annotated[str, typer.Option(help="Comma-separated years: two or more compare year "
                                       "on year; one compares its respondents")],
    drafts: DraftsOpt = False,
    radar: Annotated[Path | None, typer.Option(help="Also write the radar chart (SVG) here")
                     ] = None,
    json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Compare a partnership year on year, or its respondents within one year."""
    chosen = _years(years)
    across_respondents = len(set(chosen)) == 1

    def comparison(s):
        return (s.compare_respondents(partnership, chosen[0], drafts) if across_respondents
                else s.compare_years(partnership, chosen, drafts))

    def chart(s):
        return (s.radar_respondents(partnership, chosen[0], drafts) if across_respondents
                else s.radar_years(partnership, chosen, drafts))

    assessments = _assessments(ctx, config)
    result = _use(assessments, comparison)
    if radar is not None:
        _write_svg(ctx, radar, _use(assessments, chart))
    if json:
        _json(result)
    elif across_respondents:
        _print_respondents(result)
    else:
        _print_years(result)


def _print_years(c) -> None:
    table = Table("#", "statement", *(str(y.year) for y in c.years), "change", "trend",
                  title=f"{c.partnership}: mean points (Always 2, Sometimes 1, Never 0)")
    for t in c.statements:
        s = statement(t.statement)
        change = "-" if t.change is None else f"{t.change:+.2f}".rstrip("0").rstrip(".")
        table.add_row(str(s.number), s.label, *(_points(v) for v in t.scores), change,
                      t.trend.value)
    table.add_row("", "overall", *(_pct(y.percentage) for y in c.years), "", "")
    table.add_row("", "respondents", *(str(len(y.assessments)) for y in c.years), "", "")
    console.print(table, markup=False)


def _print_respondents(c) -> None:
    table = Table("#", "statement", "always", "sometimes", "never", "unanswered", "spread",
                  "agreement", title=f"{c.partnership} {c.year}: {len(c.respondents)} "
                                     f"respondent(s)")
    for t in c.statements:
        s = statement(t.statement)
        table.add_row(str(s.number), s.label, str(t.counts.always), str(t.counts.sometimes),
                      str(t.counts.never), str(t.counts.unanswered), _points(t.spread),
                      t.agreement.value.upper() if t.agreement.value == "disagree"
                      else t.agreement.value)
    console.print(table, markup=False)
    for r in c.respondents:
        console.print(f"  {r.respondent.name} ({r.respondent.organisation}): "
                      f"{_pct(r.percentage)} [{r.status.value}]", markup=False)
    if c.disagreements:
        console.print(f"disagreement (both Always and Never): {', '.join(c.disagreements)}")


def _write_svg(ctx: typer.Context, out: Path, radar: Radar) -> None:
    try:
        out.write_text(command_formats(ctx).radar.render(radar), encoding="utf-8")
    except OSError as exc:
        _fail(f"--out: cannot write {out}: {exc.strerror}", 2)


@app.command("radar")
def radar(
    ctx: typer.Context,
    assessment_ids: Annotated[list[str], typer.Argument(help="One assessment id, or up to "
                                                        "8 to overlay")],
    out: Annotated[Path, typer.Option("--out", "-o", help="SVG file to write")],
    config: ConfigOpt = None,
) -> None:
    """Draw the radar chart of one assessment, or overlay several, as an SVG file."""
    chart = _run(ctx, config, lambda s: s.radar_of(assessment_ids))
    _write_svg(ctx, out, chart)
    console.print(f"wrote {out}")

