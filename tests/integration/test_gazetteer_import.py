"""OS Open UPRN import into the SQLite gazetteer, end to end on real files."""

from __future__ import annotations

import csv
import random
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bluelight.cli import gazetteer_app as app  # as assembled, with its composition root
from bluelight.hub.adapters.gazetteer.sqlite_gazetteer import (
    EXPECTED_HEADER,
    GazetteerImportError,
    SqliteGazetteer,
    import_csv,
)
from bluelight.hub.services.ports import GridPoint
from bluelight.sim.gazetteer import generate_uprn_csv

ROWS = 20_000
HEADER = ",".join(EXPECTED_HEADER)
GOOD = "10000000001,318000.00,176000.00,51.4769934,-3.1821202"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    path = tmp_path_factory.mktemp("uprn") / "osopenuprn.csv"
    return path, generate_uprn_csv(path, ROWS, seed=7, bom=True)


def read_back(path: Path) -> dict[int, GridPoint]:
    """The generated file parsed independently of the importer."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        assert next(reader) == list(EXPECTED_HEADER)
        return {int(u): GridPoint(*map(float, rest)) for u, *rest in reader}


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_generated_file_looks_like_os_open_uprn(generated: tuple[Path, list[int]]):
    path, uprns = generated
    assert path.read_bytes().startswith(b"\xef\xbb\xbf" + HEADER.encode())
    rows = read_back(path)
    assert len(rows) == len(uprns) == ROWS
    assert uprns == sorted(set(uprns))
    assert all(10**10 <= u < 10**12 for u in uprns)
    for p in rows.values():
        assert 260_000 <= p.easting <= 340_000 and 165_000 <= p.northing <= 215_000
        assert 51.3 < p.lat < 51.9 and -4.1 < p.lon < -2.8
    # Clustered on the towns: a fair share within 5 km of Cardiff's centre.
    near_cardiff = sum(
        (p.easting - 318_000) ** 2 + (p.northing - 176_000) ** 2 < 5_000**2 for p in rows.values()
    )
    assert near_cardiff > ROWS * 0.15  # uniform would give ~2%


def test_generation_is_deterministic(tmp_path: Path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    assert generate_uprn_csv(a, 500, seed=3) == generate_uprn_csv(b, 500, seed=3)
    assert a.read_bytes() == b.read_bytes()
    generate_uprn_csv(c, 500, seed=4)
    assert a.read_bytes() != c.read_bytes()


def test_generation_returns_only_the_first_uprns_when_asked(tmp_path: Path):
    kept = generate_uprn_csv(tmp_path / "u.csv", 1_000, keep=10)
    assert kept == list(read_back(tmp_path / "u.csv"))[:10]


def test_import_then_lookup(generated: tuple[Path, list[int]], tmp_path: Path):
    path, uprns = generated
    db = tmp_path / "var" / "gazetteer.sqlite"  # parent created by the import
    progress: list[tuple[int, int]] = []

    result = import_csv(path, db, batch=3_000, on_progress=lambda d, t: progress.append((d, t)))

    assert (result.rows, result.rejected, result.errors) == (ROWS, 0, [])
    assert result.seconds > 0
    size = path.stat().st_size
    assert len(progress) >= ROWS // 3_000
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert progress[-1] == (size, size)
    # With no reader open, closing the import folded its WAL back into one file.
    assert not Path(f"{db}-wal").exists()

    gazetteer = SqliteGazetteer(db)
    assert gazetteer.count() == ROWS
    expected = read_back(path)
    for uprn in random.Random(1).sample(uprns, 50):
        assert gazetteer.lookup(uprn) == expected[uprn]
    assert gazetteer.lookup(uprns[-1] + 1) is None
    assert gazetteer.lookup(1) is None
    assert gazetteer.lookup(-5) is None
    assert gazetteer.lookup(2**70) is None


def test_reimport_is_idempotent(generated: tuple[Path, list[int]], tmp_path: Path):
    path, uprns = generated
    db = tmp_path / "g.sqlite"
    import_csv(path, db)
    gazetteer = SqliteGazetteer(db)
    before = gazetteer.lookup(uprns[0])
    assert import_csv(path, db).rows == ROWS
    assert gazetteer.count() == ROWS
    assert gazetteer.lookup(uprns[0]) == before


def test_a_reimport_replaces_moved_addresses(tmp_path: Path):
    db = tmp_path / "g.sqlite"
    import_csv(write(tmp_path / "a.csv", HEADER, GOOD), db)
    moved = "10000000001,318100.00,176100.00,51.4779,-3.1807"
    import_csv(write(tmp_path / "b.csv", HEADER, moved), db)
    point = SqliteGazetteer(db).lookup(10000000001)
    assert point == GridPoint(318100.0, 176100.0, 51.4779, -3.1807)


def test_header_without_bom_and_crlf_endings(tmp_path: Path):
    path = tmp_path / "crlf.csv"
    path.write_bytes(f"{HEADER}\r\n{GOOD}\r\n".encode())
    assert import_csv(path, tmp_path / "g.sqlite").rows == 1


@pytest.mark.parametrize(
    "header",
    [
        "UPRN,LATITUDE,LONGITUDE,X_COORDINATE,Y_COORDINATE",
        "uprn,x_coordinate,y_coordinate,latitude,longitude",
        "PCDS,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE",
        "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE",
        GOOD,
    ],
)
def test_wrong_header_is_refused(tmp_path: Path, header: str):
    path = write(tmp_path / "bad.csv", header, GOOD)
    db = tmp_path / "g.sqlite"
    with pytest.raises(GazetteerImportError, match="expected 'UPRN,X_COORDINATE,Y_COORDINATE"):
        import_csv(path, db)
    assert not db.exists()


def test_empty_and_missing_files_are_refused(tmp_path: Path):
    with pytest.raises(GazetteerImportError, match="empty"):
        import_csv(write(tmp_path / "empty.csv"), tmp_path / "g.sqlite")
    with pytest.raises(GazetteerImportError, match="cannot open"):
        import_csv(tmp_path / "nope.csv", tmp_path / "g.sqlite")


def test_the_zip_as_downloaded_is_refused_with_a_hint(tmp_path: Path):
    archive = tmp_path / "osopenuprn_202501_csv.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("osopenuprn_202501.csv", f"{HEADER}\n{GOOD}\n")
    with pytest.raises(GazetteerImportError, match="zip archive: extract the CSV"):
        import_csv(archive, tmp_path / "g.sqlite")


def test_bad_rows_are_counted_and_reported_with_line_numbers(tmp_path: Path):
    path = write(
        tmp_path / "mixed.csv",
        HEADER,                                                   # line 1
        GOOD,                                                     # line 2
        "UPRN-X,318000.00,176000.00,51.4769934,-3.1821202",       # line 3: UPRN not integer
        "10000000003,318000.00,17600O.00,51.4769934,-3.1821202",  # line 4: letter O
        "10000000004,318000.00,176000.00,51.4769934",             # line 5: 4 columns
        "",                                                       # line 6: blank, skipped
        "10000000006,nan,176000.00,51.4769934,-3.1821202",        # line 7: not finite
        "10000000007,318000.00,176000.00,-51.4769934,-3.1821202",  # line 8: wrong hemisphere
        "10000000008,318010.00,176010.00,51.4770834,-3.1819762",  # line 9
    )
    db = tmp_path / "g.sqlite"
    result = import_csv(path, db)
    assert (result.rows, result.rejected) == (2, 5)
    assert [e.split(":")[0] for e in result.errors] == [
        "line 3", "line 4", "line 5", "line 7", "line 8",
    ]
    assert "columns" in result.errors[2]
    gazetteer = SqliteGazetteer(db)
    assert gazetteer.count() == 2
    assert gazetteer.lookup(10000000008) is not None
    assert gazetteer.lookup(10000000004) is None


def test_malformed_csv_loses_the_row_not_the_import(tmp_path: Path):
    huge = "1," + "9" * 200_000 + ",2,3,4"  # beyond the csv module's field size limit
    later = "10000000008,318010.00,176010.00,51.4770834,-3.1819762"
    result = import_csv(write(tmp_path / "m.csv", HEADER, GOOD, huge, later), tmp_path / "g.sqlite")
    assert (result.rows, result.rejected) == (2, 1)
    assert result.errors[0].startswith("line 3: field larger than field limit")


def test_only_the_first_errors_are_kept(tmp_path: Path):
    bad = [f"{n},x,y,z,w" for n in range(1, 26)]
    result = import_csv(write(tmp_path / "bad.csv", HEADER, *bad, GOOD), tmp_path / "g.sqlite")
    assert (result.rows, result.rejected, len(result.errors)) == (1, 25, 10)
    assert result.errors[0].startswith("line 2:")


def test_missing_or_tableless_database_is_an_empty_gazetteer(tmp_path: Path):
    missing = SqliteGazetteer(tmp_path / "nowhere" / "g.sqlite")
    assert missing.lookup(10000000001) is None
    assert missing.count() == 0
    assert not (tmp_path / "nowhere").exists()  # looking never creates anything

    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert SqliteGazetteer(empty).lookup(10000000001) is None


def test_gazetteer_picks_up_a_file_imported_after_start(tmp_path: Path):
    db = tmp_path / "g.sqlite"
    gazetteer = SqliteGazetteer(db)
    assert gazetteer.lookup(10000000001) is None
    import_csv(write(tmp_path / "a.csv", HEADER, GOOD), db)
    assert gazetteer.lookup(10000000001) is not None


def test_hub_keeps_reading_while_a_reimport_runs(
    generated: tuple[Path, list[int]], tmp_path: Path
):
    path, uprns = generated
    db = tmp_path / "g.sqlite"
    import_csv(path, db)
    gazetteer = SqliteGazetteer(db)
    assert gazetteer.lookup(uprns[0]) is not None  # the hub's connection is open from here
    misses = 0

    def reader() -> None:
        nonlocal misses
        while not done.is_set():
            misses += gazetteer.lookup(uprns[0]) is None

    done = threading.Event()
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = import_csv(path, db, batch=1_000)
    finally:
        done.set()
        thread.join()
    assert (result.rows, misses) == (ROWS, 0)


def test_lookups_from_several_threads(generated: tuple[Path, list[int]], tmp_path: Path):
    path, uprns = generated
    db = tmp_path / "g.sqlite"
    import_csv(path, db)
    gazetteer = SqliteGazetteer(db)
    expected = read_back(path)
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(gazetteer.lookup, uprns[:2_000]))
    assert found == [expected[u] for u in uprns[:2_000]]


# --- CLI ---------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_import_and_lookup(generated: tuple[Path, list[int]], tmp_path: Path):
    path, uprns = generated
    db = tmp_path / "g.sqlite"
    result = runner.invoke(app, ["import", str(path), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"imported {ROWS:,} rows" in result.stdout

    # --db defaults from the environment, as the hub's deployment sets it.
    env = {"BLUELIGHT_GAZETTEER_PATH": str(db)}
    found = runner.invoke(app, ["lookup", str(uprns[0])], env=env)
    assert found.exit_code == 0, found.output
    p = read_back(path)[uprns[0]]
    assert f"easting {p.easting:.2f} northing {p.northing:.2f}" in found.stdout
    assert f"lat {p.lat:.7f} lon {p.lon:.7f}" in found.stdout

    missing = runner.invoke(app, ["lookup", "99999999999"], env=env)
    assert missing.exit_code == 1
    assert "UPRN 99999999999 not found" in missing.stderr


def test_cli_import_reports_rejected_rows(tmp_path: Path):
    path = write(tmp_path / "mixed.csv", HEADER, GOOD, "oops,1,2,3,4")
    result = runner.invoke(app, ["import", str(path), "--db", str(tmp_path / "g.sqlite")])
    assert result.exit_code == 0, result.output
    assert "imported 1 rows" in result.stdout
    assert "rejected 1 rows" in result.stdout
    assert "line 3: UPRN 'oops' is not a positive integer" in result.stdout


def test_cli_import_wrong_header_exits_1_without_traceback(tmp_path: Path):
    path = write(tmp_path / "postcodes.csv", "PCDS,LAT,LONG", "CF10 3NP,51.48,-3.18")
    result = runner.invoke(app, ["import", str(path), "--db", str(tmp_path / "g.sqlite")])
    assert result.exit_code == 1
    assert "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_cli_import_missing_file_exits_1(tmp_path: Path):
    result = runner.invoke(app, ["import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "no such file" in result.stderr
    assert "Traceback" not in result.output


def test_cli_generate(tmp_path: Path):
    path = tmp_path / "synthetic.csv"
    result = runner.invoke(app, ["generate", str(path), "--rows", "250", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert "wrote 250 rows" in result.stdout
    assert len(read_back(path)) == 250
