"""`bluelight register ...` as the checks run it: from the repository root, with the
seed documents in ../shared/seeds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bluelight.workbench.adapters import seeds

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(seeds.find_directory(cwd=REPO) is None,
                                reason="the seed documents are not here")


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != seeds.ENV}
    env |= {"BLUELIGHT_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "bluelight.cli", "register",
                           *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, list[subprocess.CompletedProcess]]:
    data = tmp_path_factory.mktemp("register")
    return data, [run(data, "import-seeds"), run(data, "import-seeds")]


def test_import_seeds_is_idempotent_and_prints_counts(imported):
    _, (first, second) = imported
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "created 296" in first.stdout and "created 0" in second.stdout
    summary = "296 collaborations in 44 areas, with 100 benefits"
    assert summary in first.stdout and summary in second.stdout


def test_stats_json(imported):
    data, _ = imported
    r = run(data, "stats", "--json")
    assert r.returncode == 0, r.stderr
    counts = json.loads(r.stdout)
    assert {k: counts[k] for k in ("collaborations", "areas", "benefits")} == {
        "collaborations": 296, "areas": 44, "benefits": 100}
    assert all(isinstance(counts[k], int) for k in ("collaborations", "areas", "benefits"))


def test_list_show_board_and_report(imported, tmp_path):
    data, _ = imported
    listed = run(data, "list", "--area", "Wiltshire", "--status", "rejected")
    assert listed.returncode == 0 and "wiltshire-current-1" in listed.stdout
    shown = json.loads(run(data, "show", "mait", "--json").stdout)
    assert shown["live_source"] == "hub" and shown["workstream"] == "digital"
    board = json.loads(run(data, "board", "--json", "--as-of", "2022-06-01").stdout)
    assert [w["id"] for w in board["workstreams"]][:2] == ["operational-services",
                                                           "enabling-business-delivery"]
    assert board["projects"] > 20
    out = tmp_path / "report.csv"
    r = run(data, "report", "--format", "csv", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("dimension,group,kind,unit")


def test_bad_input_is_one_line_naming_the_field(imported):
    data, _ = imported
    r = run(data, "report", "--format", "xml")
    assert r.returncode == 2 and r.stderr.strip() == "error: format: must be html, csv, " \
                                                     "json or pdf"
    r = run(data, "import-seeds", "--seeds", str(data / "missing"))
    assert r.returncode == 2 and r.stderr.startswith("error: seeds:")
    r = run(data, "show", "no-such-thing")
    assert r.returncode != 0 and "no collaboration no-such-thing" in r.stderr
