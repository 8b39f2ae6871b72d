"""UPRN gazetteer in its own SQLite file, loaded from OS Open UPRN.

Kept apart from the hub database: it is 41 million rows of reference data that is
replaced wholesale from a download, never part of a transfer's transaction, and must not
bloat the hub's backups or WAL."""

from __future__ import annotations

import csv
import io
import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec

from bluelight.hub.services.ports import GridPoint
from bluelight.kernel.geography import BNG_EASTING, BNG_NORTHING, WGS84_LAT, WGS84_LON

EXPECTED_HEADER = ("UPRN", "X_COORDINATE", "Y_COORDINATE", "LATITUDE", "LONGITUDE")
MAX_REPORTED_ERRORS = 10
_MAX_UPRN = 2**63 - 1  # SQLite INTEGER; larger ints would raise OverflowError when bound

_SCHEMA = """
CREATE TABLE IF NOT EXISTS uprn (
    uprn INTEGER PRIMARY KEY,
    easting REAL NOT NULL,
    northing REAL NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL
)
"""


class GazetteerImportError(Exception):
    """The file cannot be imported at all (as opposed to a few bad rows)."""


class ImportResult(msgspec.Struct, frozen=True):
    """Outcome of `import_csv`.

    rows: good rows written (a UPRN repeated in the file counts each time).
    rejected: rows skipped as malformed.
    errors: the first few rejections, each naming its line number in the file.
    seconds: wall-clock time of the import."""

    rows: int
    rejected: int
    errors: list[str]
    seconds: float


class SqliteGazetteer:
    """The `Gazetteer` port over a file written by `import_csv`.

    `lookup` runs on the event loop thread for every submit, so it must stay a
    microseconds-long primary-key read: one long-lived connection per thread (sqlite3
    connections must not be shared across threads), no per-call setup. A missing file
    behaves as an empty gazetteer (one stat per lookup) so the hub runs before the first
    import, and the file is picked up once it appears. Re-imports update the file in place
    and are seen at once; deleting and recreating it needs a restart (open connections
    keep the old file)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection | None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        if not self.path.is_file():
            return None
        # Read-only: the hub must never create or alter the gazetteer, only `import_csv` does.
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        self._local.conn = conn
        return conn

    def _query(self, sql: str, params: tuple = ()) -> tuple | None:
        conn = self._connection()
        if conn is None:
            return None
        try:
            return conn.execute(sql, params).fetchone()
        except sqlite3.OperationalError as exc:
            # A file without the table (e.g. an import that failed before creating it) is an
            # empty gazetteer. Anything else (I/O, corruption) must surface, not turn every
            # UPRN into "unknown".
            if str(exc).startswith("no such table"):
                return None
            raise

    def lookup(self, uprn: int) -> GridPoint | None:
        if not 0 < uprn <= _MAX_UPRN:
            return None
        row = self._query("SELECT easting, northing, lat, lon FROM uprn WHERE uprn = ?", (uprn,))
        return None if row is None else GridPoint(*row)

    def count(self) -> int:
        row = self._query("SELECT count(*) FROM uprn")
        return 0 if row is None else int(row[0])

    def close(self) -> None:
        """Close the calling thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def _parse(row: list[str]) -> tuple[int, float, float, float, float]:
    """One CSV row -> a table row, or ValueError saying what is wrong with it."""
    if len(row) != len(EXPECTED_HEADER):
        raise ValueError(f"expected {len(EXPECTED_HEADER)} columns, got {len(row)}")
    text = row[0].strip()
    # int() would also take "+12", "1_000" and "١٢"; a UPRN is plain ASCII digits.
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f"UPRN {row[0]!r} is not a positive integer")
    uprn = int(text)
    if not 0 < uprn <= _MAX_UPRN:
        raise ValueError(f"UPRN {row[0]!r} is out of range")
    try:
        e, n, lat, lon = (float(v) for v in row[1:])
    except ValueError:
        raise ValueError(f"unparsable coordinates {row[1:]!r}") from None
    # The hub hands these straight to incidents without re-checking them, so hold them to
    # the same bounds as a sender's coordinates (this also rejects nan and inf).
    for name, value, (lo, hi) in (
        ("X_COORDINATE", e, BNG_EASTING), ("Y_COORDINATE", n, BNG_NORTHING),
        ("LATITUDE", lat, WGS84_LAT), ("LONGITUDE", lon, WGS84_LON),
    ):
        if not (math.isfinite(value) and lo <= value <= hi):
            raise ValueError(f"{name} {value} outside Great Britain ({lo} to {hi})")
    return uprn, e, n, lat, lon


def _open_db(db_path: Path) -> sqlite3.Connection:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    # WAL, and it stays WAL: the running hub keeps reading (its lookups never block on an
    # import batch), and leaving WAL afterwards would need every reader to let go first.
    # synchronous=NORMAL can lose the last batches on power loss but never corrupts the
    # file, and unlike a transfer an import can simply be run again (INSERT OR REPLACE
    # makes that idempotent).
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: b-tree pages for unsorted input
    conn.execute(_SCHEMA)
    return conn


def _check_header(csv_path: Path, header: list[str] | None) -> None:
    expected = ",".join(EXPECTED_HEADER)
    if header is None:
        raise GazetteerImportError(f"{csv_path} is empty; expected header {expected!r}")
    if tuple(h.strip() for h in header) != EXPECTED_HEADER:
        found = ",".join(header)
        found = found if len(found) <= 120 else found[:117] + "..."
        raise GazetteerImportError(
            f"{csv_path} is not an OS Open UPRN file: header is {found!r}, expected {expected!r}"
        )


def _load(
    reader: Iterator[list[str]], conn: sqlite3.Connection, batch: int,
    progress: Callable[[], None],
) -> tuple[int, int, list[str]]:
    """Rows after the header -> the table, a transaction per batch. Returns (rows,
    rejected, first errors)."""
    rows = rejected = 0
    errors: list[str] = []
    pending: list[tuple[int, float, float, float, float]] = []

    def reject(reason: object) -> None:
        nonlocal rejected
        rejected += 1
        if len(errors) < MAX_REPORTED_ERRORS:
            errors.append(f"line {reader.line_num}: {reason}")  # type: ignore[attr-defined]

    def flush() -> None:
        if pending:
            with conn:  # commits, or rolls back if the insert fails
                conn.execute("BEGIN")
                conn.executemany("INSERT OR REPLACE INTO uprn VALUES (?, ?, ?, ?, ?)", pending)
            pending.clear()
        progress()

    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a runaway quoted field: lose the row, not the import
            reject(exc)
            continue
        if not row:
            continue  # blank line: no data, nothing wrong
        try:
            pending.append(_parse(row))
        except ValueError as exc:
            reject(exc)
            continue
        rows += 1
        if len(pending) >= batch:
            flush()
    flush()
    return rows, rejected, errors


def import_csv(
    csv_path: Path,
    db_path: Path,
    *,
    batch: int = 50_000,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Stream an OS Open UPRN CSV into the gazetteer at `db_path`, creating it if needed.

    Memory stays at one batch whatever the file size (the real file has ~41M rows). Each
    batch is its own transaction, so an interrupted import keeps what it committed and a
    rerun completes it. `on_progress(bytes_read, total_bytes)` is called after each batch.
    Raises GazetteerImportError if the file is missing, empty or has the wrong header."""
    csv_path, db_path = Path(csv_path), Path(db_path)
    started = time.perf_counter()
    try:
        raw = csv_path.open("rb")
    except OSError as exc:
        raise GazetteerImportError(f"cannot open {csv_path}: {exc.strerror or exc}") from None
    with raw:
        total = os.fstat(raw.fileno()).st_size
        if raw.read(4) == b"PK\x03\x04":  # OS ships the CSV zipped: easy to pass by mistake
            raise GazetteerImportError(
                f"{csv_path} is a zip archive: extract the CSV and import that"
            )
        raw.seek(0)
        # Binary file under a text wrapper so progress can read the byte offset (raw.tell()),
        # which a text stream refuses to report while it is being iterated. utf-8-sig drops
        # the BOM OS puts on the file; errors="replace" turns stray bytes into a rejected row
        # rather than aborting 40 million rows in.
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        reader = csv.reader(text)
        _check_header(csv_path, next(reader, None))

        def progress() -> None:
            if on_progress is not None:
                on_progress(raw.tell(), total)

        conn = _open_db(db_path)
        try:
            rows, rejected, errors = _load(reader, conn, batch, progress)
        finally:
            conn.close()
    return ImportResult(rows, rejected, errors, time.perf_counter() - started)

