"""The hub operator's CLI, and the database schema the migrations build."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
from sqlalchemy import create_engine

from bluelight.hub.adapters.storage import migrate
from bluelight.hub.adapters.storage.schema import metadata
from hubprocess import HubProcess


def cli(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bluelight.cli", *args],
        env=os.environ | {"BLUELIGHT_DATA_DIR": str(tmp_path)} | env,
        capture_output=True, text=True, timeout=60,
    )


def test_agency_add_prints_a_working_credential_once(tmp_path):
    added = cli(tmp_path, "agency", "add", "uk.fire.south-wales",
                "--name", "South Wales Fire and Rescue Service", "--service", "fire",
                "--phone", "01443 232000")
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert token.startswith("bl_")

    listed = json.loads(cli(tmp_path, "agency", "list", "--json").stdout)
    assert [(a["id"], a["phone"]) for a in listed] == [("uk.fire.south-wales", "01443 232000")]
    assert token not in cli(tmp_path, "agency", "list").stdout  # shown once, never again

    hub = HubProcess(tmp_path).start()
    try:
        r = httpx.get(f"{hub.url}/v1/agencies", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()[0]["id"] == "uk.fire.south-wales"
    finally:
        hub.stop()


def test_agency_add_refuses_bad_and_duplicate_ids_without_a_traceback(tmp_path):
    bad = cli(tmp_path, "agency", "add", "South Wales Fire", "--name", "x", "--service",
              "fire", "--phone", "123")
    assert bad.returncode != 0
    assert "country.service.organisation" in bad.stderr and "Traceback" not in bad.stderr
    args = ("agency", "add", "uk.fire.a", "--name", "A", "--service", "fire", "--phone", "999")
    assert cli(tmp_path, *args).returncode == 0
    again = cli(tmp_path, *args)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_agency_set_changes_the_deadline_a_running_hub_applies(tmp_path):
    for agency, service in [("uk.police.a", "police"), ("uk.fire.a", "fire")]:
        assert cli(tmp_path, "agency", "add", agency, "--name", agency, "--service", service,
                   "--phone", "029 2000 0000").returncode == 0
    changed = cli(tmp_path, "agency", "set", "uk.fire.a", "--ack-deadline", "12.5",
                  "--phone", "01443 999999")
    assert changed.returncode == 0, changed.stderr
    listed = {a["id"]: a for a in json.loads(cli(tmp_path, "agency", "list", "--json").stdout)}
    assert listed["uk.fire.a"]["ack_deadline_s"] == 12.5
    assert listed["uk.fire.a"]["phone"] == "01443 999999"


def test_the_body_size_limit_is_a_setting(tmp_path):
    hub = HubProcess(tmp_path, env={"BLUELIGHT_MAX_BODY_BYTES": "2000"})
    token = hub.add_agency("uk.police.a", "police")
    hub.start()
    try:
        r = httpx.post(f"{hub.url}/v1/incidents", content=b"{" + b" " * 3000 + b"}",
                       headers={"Authorization": f"Bearer {token}",
                                "content-type": "application/json"})
        assert r.status_code == 413
        assert "2000" in r.json()["detail"]
    finally:
        hub.stop()


def test_the_migrations_build_exactly_the_schema_the_code_declares(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    db = tmp_path / "hub.sqlite"
    migrate.upgrade(db)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    assert diff == []
