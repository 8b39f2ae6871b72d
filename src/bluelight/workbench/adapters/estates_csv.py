"""CSV files of buildings, building counts, fleet and workforce: the cells, typed.

Row numbers are the file's line numbers, header = row 1, so "row 12" is the row a
spreadsheet shows as 12. Lines starting with '#' before or between rows are comments (the
shipped fixtures say where their figures come from). Numbers may carry thousands
separators ("1,182") and money a pound sign ("£1,352,255"). A blank cell is no value."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from bluelight.kernel.errors import Faults, Invalid
from bluelight.workbench.domain.estates import Unreadable


def _text(raw: str) -> str:
    return raw.strip()


def _integer(raw: str) -> int:
    cleaned = raw.replace(",", "").strip()
    if not re.fullmatch(r"-?\d+", cleaned):
        raise ValueError("is not a whole number")
    return int(cleaned)


def _number(raw: str) -> float:
    try:
        value = float(raw.replace(",", "").strip())
    except ValueError:
        raise ValueError("is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("is not a number")
    return value


def _pence(raw: str) -> int:
    """'£1,352,255' or '1352255.50' -> pence."""
    cleaned = raw.replace(",", "").replace("£", "").strip()
    try:
        pounds = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("is not an amount of money in pounds") from None
    if not pounds.is_finite() or pounds != pounds.quantize(Decimal("0.01")):
        raise ValueError("is not an amount of money in pounds and pence")
    return int(pounds * 100)


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("is not a date (YYYY-MM-DD)") from None


def _names(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(";") if part.strip()]


Parse = Callable[[str], Any]
_COMMON: dict[str, Parse] = {"organisation": _text, "service": _text}
_PROVENANCE: dict[str, Parse] = {"as_at": _date, "source": _text}

COLUMNS: dict[str, dict[str, Parse]] = {
    "buildings": _COMMON | {
        "name": _text, "type": _text, "tenure": _text, "address": _text, "postcode": _text,
        "uprn": _integer, "easting": _number, "northing": _number, "lat": _number,
        "lon": _number, "shared_with": _names},
    "counts": _COMMON | {"buildings": _integer, "shared": _integer, "owned": _integer,
                         "leased": _integer} | _PROVENANCE,
    "fleet": _COMMON | {"vehicle_type": _text, "vehicles": _integer,
                        "maintenance_cost": _pence, "mileage": _integer} | _PROVENANCE,
    "workforce": _COMMON | {"role": _text, "staff": _integer} | _PROVENANCE,
}
# Columns a file of that kind must have (a row may still leave optional ones blank).
REQUIRED: dict[str, tuple[str, ...]] = {
    "buildings": ("organisation", "name", "type", "tenure"),
    "counts": ("organisation", "buildings", "shared"),
    "fleet": ("organisation", "vehicles", "maintenance_cost"),
    "workforce": ("organisation", "role", "staff"),
}
_ALIASES = {"latitude": "lat", "longitude": "lon", "lng": "lon", "building_type": "type",
            "headcount": "staff", "cost": "maintenance_cost",
            "organization": "organisation", "postal_code": "postcode"}


@dataclass(frozen=True)
class CsvRow:
    line: int
    fields: dict[str, Any]  # typed values; a cell that would not parse is `Unreadable`


def _column(header: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    return _ALIASES.get(name, name)


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid.field("file", f"is not UTF-8 text (byte {exc.start})") from None


def read_rows(kind: str, text: str, faults: Faults,
              progress: Callable[[int], None] | None = None) -> list[CsvRow]:
    """The file's data rows, with cell faults added to `faults` as "row N: column".
    A header that lacks a required column or has an unknown one fails the file at once:
    nothing in it could be trusted to mean what it says."""
    columns = COLUMNS[kind]
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[CsvRow] = []
    previous_end = 0
    for cells in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if header is None:
            header = [_column(c) for c in cells]
            _check_header(kind, header, columns)
            continue
        where = f"row {start}"
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            faults.add(f"{where}: (row)", f"has {len(cells)} cells; the header has "
                                          f"{len(header)}")
            continue
        fields: dict[str, Any] = {}
        for name, raw in zip(header, cells, strict=False):
            if not raw.strip():
                continue
            try:
                fields[name] = columns[name](raw)
            except ValueError as exc:
                faults.add(f"{where}: {name}", f"'{raw.strip()}' {exc}")
                fields[name] = Unreadable(raw)
        rows.append(CsvRow(start, fields))
        if progress is not None:
            progress(len(rows))
    if header is None:
        raise Invalid.field("file", "is empty: expected a header row and data rows")
    return rows


def _check_header(kind: str, header: list[str], columns: dict[str, Parse]) -> None:
    faults = Faults()
    for name in header:
        if name not in columns:
            faults.add(f"header: {name or '(blank)'}",
                       f"is not a column of a {kind} file (columns: {', '.join(columns)})")
    for name in REQUIRED[kind]:
        if name not in header:
            faults.add(f"header: {name}", "is a required column")
    seen = set()
    for name in header:
        if name in seen:
            faults.add(f"header: {name}", "appears twice")
        seen.add(name)
    faults.raise_if_any()


def count_lines(text: str) -> int:
    """A cheap size for a progress bar: the number of lines, header included."""
    return text.count("\n") + (0 if text.endswith("\n") else 1)


# The shipped fixtures of each shipped dataset, in the order they load.
FIXTURES: dict[str, list[tuple[str, str]]] = {
    "main": [("counts", "audit_wales_counts.csv"), ("fleet", "audit_wales_fleet.csv"),
             ("workforce", "audit_wales_workforce.csv")],
    "sample": [("buildings", "sample_buildings_synthetic.csv")],
}


def shipped_fixture(dataset: str) -> list[tuple[str, str]]:
    """[(kind, CSV text)] of a shipped dataset's fixture files."""
    folder = resources.files("bluelight.workbench.adapters").joinpath("fixtures")
    return [(kind, folder.joinpath(name).read_text(encoding="utf-8"))
            for kind, name in FIXTURES.get(dataset, [])]
