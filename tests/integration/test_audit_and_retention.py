"""The audit log records every change and every read, and `bluelight audit verify`
catches any edited, deleted or truncated record. The retention purge removes personal
data from every copy and leaves a tombstone."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta

import httpx
import pytest

from hubprocess import HubProcess, unique
from samples import incident

PASSWORD = "correct horse battery"


def cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bluelight.cli", *args],
                          env=os.environ | {"BLUELIGHT_DATA_DIR": str(data_dir)},
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def own_hub(tmp_path):
    """A hub of its own: these tests edit its database behind its back."""
    process = HubProcess(tmp_path).start()
    area = unique("audit")
    police, fire = f"uk.police.{area}", f"uk.fire.{area}"
    process.tokens = {"police": process.add_agency(police, "police"),
                      "fire": process.add_agency(fire, "fire")}
    process.ids = {"police": police, "fire": fire}
    process.add_agreement(f"isa-{area}", [police, fire], retention_days=1)
    yield process
    process.stop()


def _client(hub, who):
    return httpx.Client(base_url=hub.url, timeout=10,
                        headers={"Authorization": f"Bearer {hub.tokens[who]}"})


def _send(hub, **changes) -> dict:
    with _client(hub, "police") as c:
        r = c.post("/v1/incidents", json={"message_id": str(uuid.uuid4()),
                                          "recipients": [hub.ids["fire"]],
                                          "incident": incident(**changes)})
        assert r.status_code == 201, r.text
        return r.json()


def _records(hub, **query) -> list[dict]:
    args = [f"--{k}={v}" for k, v in query.items()]
    out = cli(hub.data_dir, "audit", "export", *args)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (value := predicate()):
            return value
        time.sleep(0.05)
    return predicate()


def test_every_change_and_read_is_recorded_without_the_content(own_hub):
    receipt = _send(own_hub, medical="QXMEDQX asthma")
    tid = receipt["transfers"][0]["transfer_id"]
    with _client(own_hub, "fire") as fire:
        seq = fire.get("/v1/inbox").json()["entries"][0]["seq"]
        fire.post("/v1/inbox/acks", json={"seqs": [seq]})
        fire.get(f"/v1/transfers/{tid}/timeline")
        fire.post(f"/v1/transfers/{tid}/decision", json={"decision": "accepted"})
    actions = _wait_for(lambda: {r["action"] for r in _records(
        own_hub, incident=receipt["incident_id"])} >= {
        "transfer.created", "transfer.delivered", "timeline.read", "transfer.accepted",
        "transfer.read"} and {r["action"] for r in _records(
            own_hub, incident=receipt["incident_id"])})
    assert {"transfer.created", "transfer.delivered", "timeline.read",
            "transfer.accepted"} <= actions
    records = _records(own_hub, agency=own_hub.ids["fire"])
    assert any(r["action"] == "inbox.read" and r["actor"] == own_hub.ids["fire"]
               for r in records)
    created = next(r for r in records if r["action"] == "transfer.created")
    assert created["actor"] == own_hub.ids["police"]
    assert created["counterparty"] == own_hub.ids["fire"]
    assert "QX" not in json.dumps(records)  # who did what, never the incident itself
    # Administration is audited too (the agreement, the agencies).
    admin = {r["action"] for r in _records(own_hub, agency=own_hub.ids["police"])}
    assert "agency.added" in admin
    verified = cli(own_hub.data_dir, "audit", "verify", "--json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"] is True


def _tamper(hub, sql: str, *args) -> None:
    conn = sqlite3.connect(hub.db)
    with conn:
        conn.execute(sql, args)
    conn.close()


@pytest.mark.parametrize(("sql", "problem"), [
    ("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2", "edited"),
    ("UPDATE audit_log SET detail = '{}' WHERE seq = 3", "edited"),
    ("DELETE FROM audit_log WHERE seq = 2", "deleted"),
])
def test_verify_detects_an_edited_or_deleted_record(own_hub, sql, problem):
    _send(own_hub)
    assert cli(own_hub.data_dir, "audit", "verify").returncode == 0
    own_hub.stop()  # nothing else writes while we tamper
    _tamper(own_hub, sql)
    out = cli(own_hub.data_dir, "audit", "verify")
    assert out.returncode == 1
    assert "TAMPERED" in out.stderr and problem in out.stderr


def test_a_witnessed_head_detects_records_removed_from_the_end(own_hub):
    _send(own_hub)
    own_hub.stop()
    head = cli(own_hub.data_dir, "audit", "head").stdout.strip()
    seq = int(head.split(":")[0])
    assert cli(own_hub.data_dir, "audit", "verify", f"--head={head}").returncode == 0
    _tamper(own_hub, "DELETE FROM audit_log WHERE seq >= ?", seq - 1)
    # The chain that is left is internally consistent; only the witness shows the loss.
    assert cli(own_hub.data_dir, "audit", "verify").returncode == 0
    out = cli(own_hub.data_dir, "audit", "verify", f"--head={head}")
    assert out.returncode == 1 and "truncated" in out.stderr


def test_retention_purges_personal_data_everywhere_and_leaves_a_tombstone(own_hub):
    canary = {"medical": "QXMEDQX", "caller": {"name": "QXCALLERQX", "phone": "07700 900111"},
              "notes": "QXNOTESQX"}
    receipt = _send(own_hub, **canary)
    tid = receipt["transfers"][0]["transfer_id"]
    with _client(own_hub, "police") as c:  # an update and a message in another standard
        c.post(f"/v1/incidents/{receipt['reference']}/updates", json={
            "message_id": str(uuid.uuid4()), "update": {"text": "QXUPDATEQX"}})
    with _client(own_hub, "fire") as fire:
        assert "QXMEDQX" in fire.get(f"/v1/transfers/{tid}").text  # shared, for now

    # Not yet due: the agreement keeps it for a day.
    assert json.loads(cli(own_hub.data_dir, "retention", "run", "--json").stdout)[
        "purged"] == 0
    later = (date.today() + timedelta(days=3)).isoformat()
    out = cli(own_hub.data_dir, "retention", "run", f"--now={later}", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["purged"] >= 1
    again = cli(own_hub.data_dir, "retention", "run", f"--now={later}", "--json")
    assert json.loads(again.stdout)["purged"] == 0  # safe to repeat

    for who in ("fire", "police"):
        with _client(own_hub, who) as c:
            texts = [c.get(f"/v1/transfers/{tid}").text,
                     c.get(f"/v1/transfers/{tid}/timeline").text,
                     c.get(f"/v1/transfers/{tid}/export").text,
                     json.dumps(c.get("/v1/inbox", params={"after": 0}).json())]
        assert not any("QX" in t for t in texts), who
        assert all(t for t in texts)  # the operational record stays
    conn = sqlite3.connect(own_hub.db)
    raw = b"".join(row[0] for row in conn.execute("SELECT body FROM mailbox"))
    raw += b"".join(row[0] or b"" for row in conn.execute("SELECT body FROM incidents"))
    conn.close()
    assert b"QX" not in raw
    tombstones = [r for r in _records(own_hub, incident=receipt["incident_id"])
                  if r["action"] == "retention.purged"]
    assert len(tombstones) == 1
    assert "incident.medical" in json.loads(tombstones[0]["detail"])["fields"]
    assert cli(own_hub.data_dir, "audit", "verify").returncode == 0


def test_the_hub_purges_by_itself_and_writes_audit_witnesses_to_its_log(tmp_path):
    import re

    process = HubProcess(tmp_path, env={"BLUELIGHT_LOG_LEVEL": "info",
                                        "BLUELIGHT_RETENTION_INTERVAL_S": "0.2",
                                        "BLUELIGHT_AUDIT_WITNESS_INTERVAL_S": "0.2"}).start()
    try:
        area = unique("gov")
        process.tokens = {"police": process.add_agency(f"uk.police.{area}", "police"),
                          "fire": process.add_agency(f"uk.fire.{area}", "fire")}
        process.ids = {"police": f"uk.police.{area}", "fire": f"uk.fire.{area}"}
        process.add_agreement(f"isa-{area}", list(process.ids.values()), retention_days=1)
        receipt = _send(process, medical="QXMEDQX")
        # Make the incident three days old: its one-day retention has ended.
        _tamper(process, "UPDATE incidents SET created_at = created_at - 3 * 86400")
        tid = receipt["transfers"][0]["transfer_id"]

        def purged():
            with _client(process, "fire") as fire:
                return "QXMEDQX" not in fire.get(f"/v1/transfers/{tid}").text
        assert _wait_for(purged), "the hub's own retention loop did not purge"

        def witnessed():
            found = re.findall(r"(\d+:[0-9a-f]{64})", (tmp_path / "hub.log").read_text())
            return found[-1] if found else None
        head = _wait_for(witnessed)
        assert head
    finally:
        process.stop()
    assert cli(tmp_path, "audit", "verify", f"--head={head}").returncode == 0
    seq = int(head.split(":")[0])
    _tamper(process, "DELETE FROM audit_log WHERE seq >= ?", seq)
    out = cli(tmp_path, "audit", "verify", f"--head={head}")
    assert out.returncode == 1 and "truncated" in out.stderr
