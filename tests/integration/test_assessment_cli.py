"""`bluelight assessment ...` against a real workbench file in a temporary data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from defusedxml import ElementTree
from typer.testing import CliRunner

from bluelight.cli import WorkbenchCommands
from bluelight.workbench.entrypoints.cli_assessment import app

IDS = [f"A4-{n:02d}" for n in range(1, 17)]
HEADER = "partnership,year,respondent_name,respondent_organisation,statement,rating,evidence\n"


def rows(partnership: str, year: int, name: str, ratings: list[str]) -> str:
    return "".join(f"{partnership},{year},{name},{name} Org,{n},{r},\n"
                   for n, r in enumerate(ratings, start=1))


@pytest.fixture
def cli(tmp_path: Path):
    runner = CliRunner()
    env = {"BLUELIGHT_DATA_DIR": str(tmp_path / "data"), "BLUELIGHT_WORKBENCH_PATH": None}

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, list(args), env=env, obj=WorkbenchCommands())
        assert result.exit_code == code, (result.stdout, result.stderr)
        return result

    run.tmp = tmp_path
    return run


def test_the_command_is_wired_into_bluelight(tmp_path: Path) -> None:
    env = {**os.environ, "BLUELIGHT_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "bluelight.cli", "assessment",
                          "statements", "--json"], env=env, capture_output=True, text=True,
                         timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert [s["id"] for s in body["statements"]] == IDS


def test_import_show_and_submit(cli) -> None:
    file = cli.tmp / "answers.csv"
    file.write_text(HEADER + rows("SCB Estates", 2023, "Ann", ["Always"] * 8 + ["Never"] * 8))
    created = json.loads(cli("import", str(file), "--submit", "--json").stdout)
    assert len(created["created"]) == 1 and created["submitted"] == created["created"]
    again = json.loads(cli("import", str(file), "--json").stdout)
    assert again["unchanged"] == created["created"]
    shown = json.loads(cli("show", created["created"][0], "--json").stdout)
    assert shown["status"] == "submitted" and shown["score"]["percentage"] == 50.0
    text = cli("show", created["created"][0]).stdout
    assert "Visible leadership" in text and "50%" in text
    listed = json.loads(cli("list", "--partnership", "scb estates", "--json").stdout)
    assert [a["id"] for a in listed] == created["created"]


def test_compare_years_and_respondents(cli) -> None:
    file = cli.tmp / "answers.csv"
    file.write_text(HEADER + rows("SCB Fleet", 2022, "Ann", ["Sometimes"] * 16)
                    + rows("SCB Fleet", 2023, "Ann", ["Always"] + ["Sometimes"] * 15)
                    + rows("SCB Fleet", 2023, "Bob", ["Never"] * 2 + ["Sometimes"] * 14))
    cli("import", str(file), "--submit")
    years = json.loads(cli("compare", "--partnership", "SCB Fleet", "--years", "2022,2023",
                           "--json").stdout)
    assert years["improved"] == [] and years["worse"] == ["A4-02"]
    assert years["statements"][0]["scores"] == [1.0, 1.0]  # (2 + 0) / 2
    chart = cli.tmp / "years.svg"
    respondents = json.loads(cli("compare", "--partnership", "SCB Fleet", "--years", "2023",
                                 "--json", "--radar", str(chart)).stdout)
    assert respondents["disagreements"] == ["A4-01"]
    root = ElementTree.fromstring(chart.read_bytes())
    assert len(root.findall(".//{http://www.w3.org/2000/svg}polygon")) == 2
    table = cli("compare", "--partnership", "SCB Fleet", "--years", "2023").stdout
    assert "DISAGREE" in table


def test_radar_writes_an_svg(cli) -> None:
    file = cli.tmp / "answers.json"
    file.write_text(json.dumps({
        "partnership": "P", "year": 2023, "respondent": {"name": "A", "organisation": "B"},
        "answers": [{"statement": "A4-01", "rating": "always"}]}))
    ident = json.loads(cli("import", str(file), "--json").stdout)["created"][0]
    out = cli.tmp / "chart.svg"
    cli("radar", ident, "--out", str(out))
    root = ElementTree.fromstring(out.read_bytes())
    assert root.get("role") == "img"
    assert root.find("{http://www.w3.org/2000/svg}desc").text


@pytest.mark.parametrize("content, suffix, field", [
    (HEADER + "P,2023,A,B,1,Often,\n", "csv", "row 2.rating"),
    (HEADER + "P,year,A,B,1,Always,\n", "csv", "row 2.year"),
    ('{"partnership": "P", "year": 2023, "respondent": {"name": "A"}}', "json",
     "respondent.organisation"),
    ("x", "txt", "file"),
])
def test_bad_files_exit_2_naming_the_field(cli, content, suffix, field) -> None:
    file = cli.tmp / f"bad.{suffix}"
    file.write_text(content)
    result = cli("import", str(file), code=2)
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {field}")
    assert json.loads(cli("list", "--json").stdout) == []


def test_incomplete_submit_and_bad_years_exit_2(cli) -> None:
    file = cli.tmp / "answers.csv"
    file.write_text(HEADER + rows("P", 2023, "Ann", ["Always"] * 15))
    result = cli("import", str(file), "--submit", code=2)
    assert "A4-16" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "--years" in cli("compare", "--partnership", "P", "--years", "last", code=2).stderr
    assert "no assessment" in cli("show", "as-missing", code=1).stderr
