"""The public performance report (Audit Wales R5-R7): baselines, targets and actuals
rolled up by workstream, by area and by category, as JSON, CSV, HTML and (through a
headless Chromium, when there is one) PDF.

Values are only ever added within one kind and one unit: a grant is not a saving, and
pounds are not hours."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

import msgspec

from bluelight.workbench.domain.collaboration import (
    CATEGORY_LABELS,
    Benefit,
    Category,
    Collaboration,
    Unit,
    Workstream,
)
from bluelight.workbench.services.register import Register

DIMENSIONS = ("workstream", "area", "category")
NO_WORKSTREAM = "(no workstream)"


class RollupRow(msgspec.Struct, kw_only=True):
    group: str
    kind: str
    unit: str
    benefits: int
    aggregate: str  # "sum"; "mean" for percentages, which do not add up
    baseline: float | None  # sum (or mean) over the benefits that have one
    target: float | None
    actual: float | None  # sum of each benefit's latest actual
    with_baseline: int
    with_target: int
    with_actual: int


class PerformanceReport(msgspec.Struct, kw_only=True):
    as_of: str
    collaborations: int
    benefits: int
    by_workstream: list[RollupRow]
    by_area: list[RollupRow]
    by_category: list[RollupRow]


def _group(c: Collaboration, dimension: str, names: dict[str, str]) -> str:
    if dimension == "workstream":
        return names.get(c.workstream, c.workstream) if c.workstream else NO_WORKSTREAM
    if dimension == "area":
        return c.area
    return CATEGORY_LABELS.get(Category(c.category), c.category)


def _sum(values: list[float], mean: bool = False) -> float | None:
    if not values:
        return None
    return round(sum(values) / len(values) if mean else sum(values), 4)


def rollup(collaborations: list[Collaboration], dimension: str,
           workstream_names: dict[str, str] | None = None) -> list[RollupRow]:
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIMENSIONS}")
    names = workstream_names or {}
    groups: dict[tuple[str, str, str], list[Benefit]] = defaultdict(list)
    for c in collaborations:
        for b in c.benefits:
            groups[(_group(c, dimension, names), b.kind.value, b.unit.value)].append(b)
    rows = []
    for (group, kind, unit), bs in sorted(groups.items()):
        baselines = [b.baseline for b in bs if b.baseline is not None]
        targets = [b.target for b in bs if b.target is not None]
        actuals = [b.latest.value for b in bs if b.latest is not None]
        mean = unit == Unit.PERCENT.value
        rows.append(RollupRow(group=group, kind=kind, unit=unit, benefits=len(bs),
                              aggregate="mean" if mean else "sum",
                              baseline=_sum(baselines, mean), target=_sum(targets, mean),
                              actual=_sum(actuals, mean), with_baseline=len(baselines),
                              with_target=len(targets), with_actual=len(actuals)))
    return rows


def report(collaborations: list[Collaboration], workstreams: list[Workstream],
           today: dt.date) -> PerformanceReport:
    names = {w.id: w.name for w in workstreams}
    return PerformanceReport(
        as_of=today.isoformat(), collaborations=len(collaborations),
        benefits=sum(len(c.benefits) for c in collaborations),
        by_workstream=rollup(collaborations, "workstream", names),
        by_area=rollup(collaborations, "area", names),
        by_category=rollup(collaborations, "category", names))


class Performance:
    """The performance report over the register as it is now, live benefits included;
    `to_csv`, `to_html` and `to_pdf` below export it."""

    def __init__(self, register: Register) -> None:
        self._register = register

    async def report(self, today: dt.date) -> PerformanceReport:
        items, workstreams = await self._register.everything()
        return report(items, workstreams, today)


# ---- exports ------------------------------------------------------------------------

_COLUMNS = ("dimension", "group", "kind", "unit", "benefits", "aggregate", "baseline", "target",
            "actual", "with_baseline", "with_target", "with_actual")


def to_csv(r: PerformanceReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for dimension in DIMENSIONS:
        for row in getattr(r, f"by_{dimension}"):
            writer.writerow([dimension, _cell(row.group), _cell(row.kind), _cell(row.unit),
                             row.benefits, row.aggregate,
                             _plain(row.baseline), _plain(row.target), _plain(row.actual),
                             row.with_baseline, row.with_target, row.with_actual])
    return out.getvalue()


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @; OWASP "CSV injection") is
    prefixed with an apostrophe: the report is public and opened in Excel."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _plain(v: float | None) -> str:
    return "" if v is None else format(v, ".15g")


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "—"
    if unit.startswith("GBP"):
        text = f"£{v:,.0f}" + (" a year" if unit.endswith("/year") else "")
        return text
    number = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
    return f"{number} {unit.replace('/year', ' a year')}"


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:70rem;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.8rem}h2{margin-top:2.5rem;border-bottom:2px solid #005ea5}
table{border-collapse:collapse;width:100%;margin:1rem 0}
caption{text-align:left;font-weight:600;padding:.5rem 0}
th,td{border:1px solid #b1b4b6;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f2f1}p.note{color:#505a5f}
a{color:#1d70b8}a:focus{outline:3px solid #fd0}
@media print{body{margin:0}h2{break-after:avoid}}
"""


def to_html(r: PerformanceReport, title: str = "Emergency services collaboration: "
                                                "performance report") -> str:
    """A self-contained public page: no scripts, no external fonts or images, headings
    and captioned tables so a screen reader can move through it."""
    e = html.escape
    parts = [
        "<!doctype html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>",
        '<a href="#main" class="skip">Skip to the figures</a>',
        f'<header><h1>{e(title)}</h1>',
        f"<p>As of {e(r.as_of)}: {r.collaborations} collaborations, {r.benefits} recorded "
        f"benefits. Baselines, targets and latest actuals are added together only where "
        f"the kind of benefit and the unit are the same; a dash means none was recorded."
        f"</p></header>", '<main id="main">',
        '<nav aria-label="Sections"><ul>'
        '<li><a href="#by-workstream">By workstream</a></li>'
        '<li><a href="#by-area">By area</a></li>'
        '<li><a href="#by-category">By category</a></li></ul></nav>',
    ]
    for dimension, label in (("workstream", "By workstream"), ("area", "By area"),
                             ("category", "By category")):
        rows = getattr(r, f"by_{dimension}")
        parts.append(f'<section aria-labelledby="by-{dimension}">')
        parts.append(f'<h2 id="by-{dimension}">{e(label)}</h2>')
        if not rows:
            parts.append('<p class="note">No benefits recorded yet.</p></section>')
            continue
        parts.append("<table>")
        parts.append(f"<caption>Benefits {e(label.lower())}: baseline, target and latest "
                     f"actual, summed by kind and unit</caption>")
        parts.append('<thead><tr><th scope="col">' + e(dimension.capitalize())
                     + '</th><th scope="col">Kind</th><th scope="col">Unit</th>'
                     '<th scope="col">Benefits</th><th scope="col">Baseline</th>'
                     '<th scope="col">Target</th><th scope="col">Latest actual</th></tr>'
                     '</thead><tbody>')
        for row in rows:
            parts.append(
                f'<tr><th scope="row">{e(row.group)}</th><td>{e(row.kind)}</td>'
                f'<td>{e(row.unit)}{" (mean)" if row.aggregate == "mean" else ""}</td>'
                f'<td class="n">{row.benefits}</td>'
                f'<td class="n">{e(_fmt(row.baseline, row.unit))}</td>'
                f'<td class="n">{e(_fmt(row.target, row.unit))}</td>'
                f'<td class="n">{e(_fmt(row.actual, row.unit))}</td></tr>')
        parts.append("</tbody></table></section>")
    parts += ["</main>", "<footer><p class=\"note\">Figures seeded from public reports "
              "keep their source sentence in the register; live figures of the "
              "multi-agency incident transfer are measured by the hub itself.</p></footer>",
              "</body>", "</html>"]
    return "\n".join(parts)


class PdfUnavailable(RuntimeError):
    pass


CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser",
                       "google-chrome")


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(page: str, chromium: str | None = None, timeout: float = 60.0) -> bytes:
    """Print the HTML report to PDF with a headless Chromium, if one is installed."""
    browser = chromium or find_chromium()
    if browser is None:
        raise PdfUnavailable("PDF needs a Chromium browser (looked for "
                             + ", ".join(CHROMIUM_CANDIDATES) + "); use --format html")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(page, encoding="utf-8")
        try:
            subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                            "--no-pdf-header-footer", f"--user-data-dir={tmp}/profile",
                            f"--print-to-pdf={out}", src.as_uri()],
                           check=True, capture_output=True, timeout=timeout)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise PdfUnavailable(f"Chromium could not print the report: {exc}") from None
        if not out.exists():
            raise PdfUnavailable("Chromium did not write a PDF")
        return out.read_bytes()
