"""Read self-assessment answers from a file: JSON (one assessment or a list, each as the
API's `NewAssessment`) or CSV (one row per answer, as a spreadsheet would hold them).

CSV columns (a header row is required; order does not matter):
  partnership, year, respondent_name, respondent_organisation   required
  respondent_role                                                optional
  statement   A4-01 ... A4-16, or just 1 ... 16                  required
  rating      Always / Sometimes / Never (any case), or blank in a draft
  evidence, action, action_owner, action_due (YYYY-MM-DD)        optional

Rows of one respondent, partnership and year make one assessment. A statement may take
several rows to list several actions; its rating and evidence are then given once (or
repeated identically). Every fault is reported with its row number, all at once."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import msgspec

from bluelight.kernel.errors import Faults, Invalid, validation_fault
from bluelight.workbench.domain.assessment import (
    CHECKLIST,
    Answer,
    ImprovementAction,
    NewAssessment,
    Rating,
    Respondent,
    partnership_key,
    respondent_key,
)

REQUIRED = ("partnership", "year", "respondent_name", "respondent_organisation", "statement")
OPTIONAL = ("respondent_role", "rating", "evidence", "action", "action_owner", "action_due")
MAX_BYTES = 5 * 1024 * 1024
_BY_NUMBER = {str(s.number): s.id for s in CHECKLIST} | {f"{s.number:02d}": s.id
                                                          for s in CHECKLIST}
_IDS = {s.id.casefold(): s.id for s in CHECKLIST}


def read(path: Path) -> list[NewAssessment]:
    """The assessments in `path`, chosen by its suffix (.json or .csv)."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise Invalid.field("file", f"{path.name}: use a .csv or .json file")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise Invalid.field("file", f"{path.name} is larger than {MAX_BYTES} bytes")
        raw = path.read_bytes()
    except OSError as exc:
        raise Invalid.field("file", f"cannot read {path}: {exc.strerror}") from None
    return decode_json(raw) if suffix == ".json" else decode_csv(raw)


def decode_json(raw: bytes) -> list[NewAssessment]:
    try:
        value = msgspec.json.decode(raw, type=NewAssessment | list[NewAssessment])
    except msgspec.ValidationError as exc:
        fault = validation_fault(str(exc))
        raise Invalid(f"{fault.field}: {fault.fault}", [fault]) from None
    except msgspec.DecodeError as exc:
        raise Invalid.field("(file)", f"not valid JSON ({exc})") from None
    return value if isinstance(value, list) else [value]


def _statement(value: str) -> str | None:
    value = value.strip()
    return _BY_NUMBER.get(value) or _IDS.get(value.casefold())


class _Draft:
    """One assessment being assembled from its rows."""

    def __init__(self, partnership: str, year: int, respondent: Respondent) -> None:
        self.partnership, self.year, self.respondent = partnership, year, respondent
        self.answers: dict[str, dict] = {}

    def add(self, row: int, sid: str, rating: Rating | None, evidence: str,
            action: ImprovementAction | None, faults: Faults) -> None:
        answer = self.answers.setdefault(sid, {"row": row, "rating": None, "evidence": "",
                                               "actions": []})
        for name, value in (("rating", rating), ("evidence", evidence)):
            if value and answer[name] and value != answer[name]:
                faults.add(f"row {row}.{name}", f"{sid} is already answered differently "
                                                f"at row {answer['row']}")
            elif value:
                answer[name] = value
        if action is not None:
            answer["actions"].append(action)

    def build(self) -> NewAssessment:
        return NewAssessment(
            partnership=self.partnership, year=self.year, respondent=self.respondent,
            answers=[Answer(statement=sid, rating=a["rating"], evidence=a["evidence"],
                            actions=a["actions"]) for sid, a in self.answers.items()])


def decode_csv(raw: bytes) -> list[NewAssessment]:
    try:
        text = raw.decode("utf-8-sig")  # spreadsheets often write a byte-order mark
    except UnicodeDecodeError:
        raise Invalid.field("(file)", "is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise Invalid.field("(header)", f"missing column(s): {', '.join(missing)}")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise Invalid.field("(header)", f"unknown column(s): {', '.join(unknown)}")
    reader.fieldnames = header
    faults = Faults()
    drafts: dict[tuple, _Draft] = {}
    for row_number, row in enumerate(reader, start=2):  # row 1 is the header
        if None in row:
            faults.add(f"row {row_number}", "has more cells than the header")
            continue
        cell = {k: (v or "").strip() for k, v in row.items()}
        if not any(cell.values()):
            continue
        _row(row_number, cell, drafts, faults)
    faults.raise_if_any()
    if not drafts:
        raise Invalid.field("(file)", "has no answers")
    return [d.build() for d in drafts.values()]


def _row(n: int, cell: dict[str, str], drafts: dict[tuple, _Draft], faults: Faults) -> None:
    """Check one row and add it to its respondent's draft."""
    before = len(faults.items)
    for column in ("partnership", "respondent_name", "respondent_organisation"):
        if not cell[column]:
            faults.add(f"row {n}.{column}", "is required")
    year = None
    try:
        year = int(cell["year"])
        if not 2000 <= year <= 2100:
            faults.add(f"row {n}.year", "must be between 2000 and 2100")
    except ValueError:
        faults.add(f"row {n}.year", f"{cell['year']!r} is not a year")
    sid = _statement(cell["statement"])
    if sid is None:
        faults.add(f"row {n}.statement", f"{cell['statement']!r} is not a checklist statement "
                                         f"(A4-01 to A4-16, or 1 to 16)")
    rating = None
    if cell.get("rating"):
        try:
            rating = Rating(cell["rating"].casefold())
        except ValueError:
            faults.add(f"row {n}.rating", f"{cell['rating']!r} is not Always, Sometimes or "
                                          f"Never")
    action = None
    due = None
    if cell.get("action_due"):
        try:
            due = dt.date.fromisoformat(cell["action_due"])
        except ValueError:
            faults.add(f"row {n}.action_due", f"{cell['action_due']!r} is not a date "
                                              f"(YYYY-MM-DD)")
    if cell.get("action"):
        action = ImprovementAction(text=cell["action"], owner=cell.get("action_owner", ""), due=due)
    elif cell.get("action_owner") or cell.get("action_due"):
        faults.add(f"row {n}.action", "is required when an owner or due date is given")
    for column, limit in (("partnership", 200), ("respondent_name", 200),
                          ("respondent_organisation", 200), ("respondent_role", 200),
                          ("evidence", 10_000), ("action", 2000), ("action_owner", 200)):
        if len(cell.get(column, "")) > limit:
            faults.add(f"row {n}.{column}", f"longer than {limit} characters")
    if len(faults.items) > before:
        return
    respondent = Respondent(name=cell["respondent_name"],
                            organisation=cell["respondent_organisation"],
                            role=cell.get("respondent_role", ""))
    key = (partnership_key(cell["partnership"]), year, respondent_key(respondent))
    draft = drafts.setdefault(key, _Draft(cell["partnership"], year, respondent))
    draft.add(n, sid, rating, cell.get("evidence", ""), action, faults)
