"""The gazetteer's files, for the command line (`bluelight gazetteer ...`): import an
OS Open UPRN CSV, look a UPRN up, and write a synthetic CSV for tests and demos."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bluelight.hub.adapters.gazetteer.sqlite_gazetteer import (
    GazetteerImportError,
    ImportResult,
    SqliteGazetteer,
    import_csv,
)
from bluelight.hub.services.ports import GridPoint

Generate = Callable[..., object]  # (path, rows, *, seed): the simulator's generator


class GazetteerFiles:
    import_error = GazetteerImportError  # the file cannot be imported at all

    def __init__(self, generate: Generate) -> None:
        self._generate = generate

    def import_csv(self, csv: Path, db: Path,
                   on_progress: Callable[[int, int], None]) -> ImportResult:
        return import_csv(csv, db, on_progress=on_progress)

    def lookup(self, db: Path, uprn: int) -> GridPoint | None:
        return SqliteGazetteer(db).lookup(uprn)

    def generate(self, csv: Path, rows: int, seed: int) -> None:
        self._generate(csv, rows, seed=seed)
