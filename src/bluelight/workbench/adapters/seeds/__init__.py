"""Parsers of the seed documents (PDF-to-text conversions of public reports) into
register entries. `load(directory)` finds the documents by their content, not their
file names, and returns every entry with its provenance."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bluelight.workbench.adapters.seeds import audit_wales, drafts, overview
from bluelight.workbench.adapters.seeds.overview import SeedFormatError
from bluelight.workbench.domain.collaboration import Collaboration, Workstream
from bluelight.workbench.services.ports import SeedsUnreadable

ENV = "BLUELIGHT_SEEDS_DIR"
_OVERVIEW_MARK = "Collaboration across the country A-Z"
_AUDIT_WALES_MARK = "Joint Working Between Emergency Services"

__all__ = ["ENV", "SeedFolder", "SeedFormatError", "SeedSet", "find_directory", "load"]


@dataclass
class SeedSet:
    collaborations: list[Collaboration]
    workstreams: list[Workstream]
    documents: list[str]


def find_directory(explicit: Path | None = None, cwd: Path | None = None) -> Path | None:
    """--seeds, else $BLUELIGHT_SEEDS_DIR, else ../shared/seeds or shared/seeds from the
    current directory, else ../shared/seeds next to the repository."""
    if explicit is not None:
        return explicit
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    here = cwd or Path.cwd()
    repo = Path(__file__).resolve().parents[4]
    for candidate in (here / ".." / "shared" / "seeds", here / "shared" / "seeds",
                      repo / ".." / "shared" / "seeds"):
        if candidate.is_dir():
            return candidate.resolve()
    return None


def _documents(directory: Path) -> tuple[Path, Path]:
    found_overview = found_wales = None
    for path in sorted(directory.glob("*.txt")):
        head = path.read_text(encoding="utf-8", errors="replace")[:3000]
        if found_overview is None and _OVERVIEW_MARK in head:
            found_overview = path
        elif found_wales is None and _AUDIT_WALES_MARK in head:
            found_wales = path
    if found_overview is None or found_wales is None:
        missing = [n for n, p in (("national overview", found_overview),
                                  ("Audit Wales report", found_wales)) if p is None]
        raise SeedFormatError(f"not found in {directory}: {', '.join(missing)}")
    return found_overview, found_wales


def load(directory: Path, now: float) -> SeedSet:
    if not directory.is_dir():
        raise FileNotFoundError(f"no seed directory at {directory}")
    overview_path, wales_path = _documents(directory)
    doc_o, drafts_o = overview.parse(overview_path.read_text(encoding="utf-8"),
                                     overview_path.name)
    doc_w, drafts_w, workstreams = audit_wales.parse(wales_path.read_text(encoding="utf-8"),
                                                     wales_path.name)
    collaborations = []
    seen: set[str] = set()
    for doc, batch in ((doc_o, drafts_o), (doc_w, drafts_w)):
        for draft in batch:
            c = drafts.build(draft, doc, now)
            if c.workstream is None and c.area.startswith(audit_wales.WALES):
                workstream = audit_wales.workstream_for(c.category)
                c = _with_workstream(c, workstream)
            if c.id in seen:
                raise SeedFormatError(f"two seed entries share the id {c.id}")
            seen.add(c.id)
            collaborations.append(c)
    return SeedSet(collaborations, workstreams, [overview_path.name, wales_path.name])


class SeedFolder:
    """The `SeedDocuments` port over this package. A folder that cannot be read and a
    document that cannot be understood both become `SeedsUnreadable`, with the same
    message, for the command line's one-line error."""

    env = ENV

    @staticmethod
    def find_directory(explicit: Path | None = None) -> Path | None:
        return find_directory(explicit)

    @staticmethod
    def load(directory: Path, now: float) -> SeedSet:
        try:
            return load(directory, now)
        except (SeedFormatError, OSError) as exc:
            raise SeedsUnreadable(str(exc)) from exc


def _with_workstream(c: Collaboration, workstream: str | None) -> Collaboration:
    import msgspec

    return msgspec.structs.replace(c, workstream=workstream)
