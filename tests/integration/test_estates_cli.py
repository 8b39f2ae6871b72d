"""`bluelight estates` as the CI checks and users run it, on fresh data directories."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bluelight.cli", "estates", *args],
        env=os.environ | {"BLUELIGHT_DATA_DIR": str(data_dir)},
        capture_output=True, text=True, timeout=60,
    )


def test_report_json_on_a_fresh_data_dir_has_the_exhibit_totals(tmp_path):
    r = cli(tmp_path, "report", "--json")
    assert r.returncode == 0, r.stderr
    body = json.loads(r.stdout)  # plain JSON on stdout, nothing else
    assert body["total"]["buildings"] == 684
    assert body["total"]["shared"] == 47
    assert body["total"]["shared_pct"] == 6.9
    assert len(body["organisations"]) == 11
    for org in body["organisations"]:
        assert {"organisation", "service", "buildings", "shared", "shared_pct"} <= set(org)
    assert body["fleet"]["total"]["vehicles"] == 3917
    assert body["workforce"]["total"]["total"] == 20389

    human = cli(tmp_path, "report")
    assert human.returncode == 0 and "684" in human.stdout and "6.9%" in human.stdout


def test_import_of_a_bad_file_names_each_row_and_column_and_exits_2(tmp_path):
    bad = tmp_path / "fleet.csv"
    bad.write_text("organisation,service,vehicles,maintenance_cost\n"
                   "Gwent Police,police,lots,£10\n"
                   "Gwent Police,fire,5,£10\n")
    r = cli(tmp_path, "import", "fleet", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert "error: row 2: vehicles: 'lots' is not a whole number" in lines
    assert any(line.startswith("error: row 3: service: Gwent Police is recorded as a police")
               for line in lines)
    after = json.loads(cli(tmp_path, "report", "--json").stdout)
    gwent = next(r for r in after["fleet"]["organisations"] if r["organisation"] == "Gwent Police")
    assert gwent["vehicles"] == 400  # unchanged: nothing was stored


def test_load_fixture_twice_and_query_the_sample(tmp_path):
    for _ in range(2):
        r = cli(tmp_path, "load-fixture", "--json")
        assert r.returncode == 0, r.stderr
    loaded = json.loads(r.stdout)
    assert [(x["dataset"], x["kind"], x["imported"]) for x in loaded] == [
        ("main", "counts", 11), ("main", "fleet", 8), ("main", "workforce", 27),
        ("sample", "buildings", 30)]
    near = json.loads(cli(tmp_path, "within", "--place", "Swansea", "--radius", "10",
                          "--unit", "mi", "--dataset", "sample", "--json").stdout)
    assert near["synthetic"] and near["count"] == 6
    found = json.loads(cli(tmp_path, "opportunities", "--km", "1", "--dataset", "sample",
                           "--json").stdout)
    assert found["opportunities"][0]["a"]["service"] == "coastguard"
    assert found["opportunities"][0]["b"]["service"] == "lifeboat"
    assert [o["distance_km"] for o in found["opportunities"]] == sorted(
        o["distance_km"] for o in found["opportunities"])
