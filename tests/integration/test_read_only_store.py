"""A hub whose database cannot be written (issue 10): started on a read-only data
directory it said "ok" and answered submissions with 500; a write-protected -shm file
under a running hub killed it with SIGBUS. Now: 503 storage-unavailable with Retry-After,
/healthz 503 "read-only", and the process stays up.

Tests run as root, whom file modes do not stop, so the files are made immutable with
`chattr +i` (which stops root too, as a read-only remount does)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hubprocess import HubProcess
from samples import incident

POLICE, FIRE = "uk.police.ro", "uk.fire.ro"


def chattr(flag: str, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True, text=True)


@contextlib.contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    done = chattr("+i", *paths)
    if done.returncode != 0:
        pytest.skip(f"cannot make files immutable here (chattr +i: {done.stderr.strip()}); "
                    "the test needs a filesystem with the immutable attribute and root")
    try:
        yield
    finally:
        chattr("-i", *paths)


@pytest.fixture
def hub(tmp_path) -> Iterator[tuple[HubProcess, str]]:
    process = HubProcess(tmp_path)
    token = process.add_agency(POLICE, "police")
    process.add_agency(FIRE, "fire")
    process.add_agreement("isa-ro", [POLICE, FIRE])
    yield process, token
    process.stop()


def submit(hub: HubProcess, token: str) -> httpx.Response:
    return httpx.post(f"{hub.url}/v1/incidents", headers={"Authorization": f"Bearer {token}"},
                      json={"message_id": str(uuid.uuid4()), "recipients": [FIRE],
                            "incident": incident()}, timeout=10)


def assert_refused(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == "urn:bluelight:problem:storage-unavailable"
    assert int(r.headers["retry-after"]) >= 1


def assert_degraded(hub: HubProcess, culprit: str) -> None:
    r = httpx.get(f"{hub.url}/healthz", timeout=5)
    assert r.status_code == 503, r.text
    health = r.json()
    assert health["status"] == "degraded" and health["store"] == "read-only", health
    assert culprit in health["detail"], health


def stored_transfers(db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM transfers").fetchone()[0]
    finally:
        conn.close()


def test_a_hub_started_on_a_read_only_directory_refuses_with_503(hub):
    process, token = hub
    process.start()
    assert submit(process, token).status_code == 201
    process.stop()
    files = [p for p in process.data_dir.iterdir() if p.name.startswith("hub.sqlite")]
    with immutable(process.data_dir, *files):
        process.start()
        assert_degraded(process, str(process.data_dir))
        for _ in range(3):
            assert_refused(submit(process, token))
        assert process.proc.poll() is None
        process.stop()
    assert stored_transfers(process.db) == 1  # the first one only


def test_a_shm_file_write_protected_under_a_running_hub_is_not_a_bus_error(hub):
    process, token = hub
    process.start()
    for _ in range(5):
        assert submit(process, token).status_code == 201
    shm = Path(f"{process.db}-shm")
    assert shm.exists()
    with immutable(shm):
        # It died of SIGBUS on the first write to the mapped file.
        for _ in range(10):
            assert_refused(submit(process, token))
            time.sleep(0.05)
        assert_degraded(process, "hub.sqlite-shm")
        # Reads would write to the mapping too: refused rather than risked.
        r = httpx.get(f"{process.url}/v1/inbox", timeout=5,
                      headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 503, r.text
        time.sleep(1)  # the escalation and checkpoint loops have run meanwhile
        assert process.proc.poll() is None, "the hub died"
        process.stop()
        assert process.proc.returncode != -signal.SIGBUS
    assert "Bus error" not in (process.data_dir / "hub.log").read_text()
    # Restarted on a writable disk, nothing was lost and it stores again.
    process.start()
    assert submit(process, token).status_code == 201
    process.stop()
    assert stored_transfers(process.db) == 6
