"""The store never leaves a caller waiting, and never claims "stored" falsely, when the
disk or the database fails."""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import time

import pytest

from bluelight.hub.adapters.storage import migrate
from bluelight.hub.adapters.storage.sqlite_store import SqliteStore
from bluelight.hub.domain.agency import Agency, Service
from bluelight.hub.domain.transfer import EntryKind
from bluelight.hub.services.ports import NoDelivery
from bluelight.kernel.errors import StorageUnavailable

NOBODY = NoDelivery()  # the bursts below are stored for nobody connected


def add_agency(agency_id: str):
    def job(repo):
        repo.add_agency(Agency(id=agency_id, name=agency_id, service=Service.FIRE,
                               phone="123"), time.time())
    return job


def append(agency_id: str):
    def job(repo):
        return repo.append(agency_id, EntryKind.INCIDENT_NEW, "inc_1", None, b"{}", time.time())
    return job


@pytest.fixture
async def store(tmp_path):
    migrate.upgrade(tmp_path / "hub.sqlite")
    published = []
    s = SqliteStore(tmp_path / "hub.sqlite")
    s.start()
    # Every job here names the same publish step, as a use case does.
    s.write = functools.partial(s.write, publish=published.extend)
    s.published = published
    yield s
    await s.stop()


async def test_a_failing_job_is_undone_alone_and_its_batch_mates_are_stored(store):
    await store.write(add_agency("uk.fire.a"))

    def broken(repo):
        repo.append("uk.fire.a", EntryKind.INCIDENT_NEW, "inc_x", None, b"{}", time.time())
        raise ValueError("rule broken after a write")

    results = await asyncio.gather(store.write(append("uk.fire.a")), store.write(broken),
                                   store.write(append("uk.fire.a")), return_exceptions=True)
    assert isinstance(results[1], ValueError)
    # The failed job's entry was rolled back and its seq not burnt: 1 and 2, no gap.
    assert [r.seq for r in (results[0], results[2])] == [1, 2]
    assert [e.seq for e in store.published] == [1, 2]
    assert [e.seq for e in await store.read(lambda r: r.entries("uk.fire.a", 0, 10))] == [1, 2]


async def test_a_commit_failure_fails_every_job_and_publishes_nothing(store, tmp_path):
    await store.write(add_agency("uk.fire.a"))
    # Another connection takes the write lock, so our COMMIT (in fact BEGIN) cannot run.
    blocker = sqlite3.connect(tmp_path / "hub.sqlite", isolation_level=None)
    blocker.execute("PRAGMA busy_timeout=0")
    blocker.execute("BEGIN EXCLUSIVE")
    store._conn.execute("PRAGMA busy_timeout=50")
    try:
        results = await asyncio.wait_for(
            asyncio.gather(store.write(append("uk.fire.a")), store.write(append("uk.fire.a")),
                           return_exceptions=True), 10)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert any(isinstance(r, StorageUnavailable) for r in results), results
    assert store.published == [e for e in store.published if not isinstance(e, Exception)]
    stored = await store.read(lambda r: r.entries("uk.fire.a", 0, 10))
    assert [e.seq for e in store.published] == [e.seq for e in stored]
    # And the store keeps working afterwards, with no gap in the sequence.
    entry = await store.write(append("uk.fire.a"))
    assert entry.seq == len(stored) + 1


async def test_an_unexpected_error_outside_a_job_still_answers_every_caller(store):
    await store.write(add_agency("uk.fire.a"))
    original = store._commit

    async def explode(batch):
        store._commit = original
        raise RuntimeError("disk on fire")

    store._commit = explode
    with pytest.raises(StorageUnavailable):
        await asyncio.wait_for(store.write(append("uk.fire.a")), 5)
    # Nothing of the failed batch was stored; the next message gets seq 1.
    assert (await store.write(append("uk.fire.a"))).seq == 1


async def test_the_wal_is_truncated_below_its_bound_after_a_burst(tmp_path):
    """Checkpoints alone never shrink the WAL while readers keep using it: under steady
    load it grew to several GB. Past `wal_max_bytes` the writer truncates it."""
    bound = 1024 * 1024
    migrate.upgrade(tmp_path / "hub.sqlite")
    store = SqliteStore(tmp_path / "hub.sqlite", wal_max_bytes=bound)
    store.start()
    seen = []
    stop = asyncio.Event()

    async def keep_reading():  # readers all the time, as stream catch-ups and polls are
        while not stop.is_set():
            await store.read(lambda r: r.entries("uk.fire.a", 0, 50))
            seen.append(store.files.wal_bytes())
            await asyncio.sleep(0)

    try:
        await store.write(add_agency("uk.fire.a"))
        reader = asyncio.create_task(keep_reading())

        def big(repo):
            return repo.append("uk.fire.a", EntryKind.INCIDENT_NEW, "inc_1", None,
                               b"x" * 2000, time.time())

        for _ in range(40):  # 40 x 50 entries of 2 KB: about 10 MB of WAL unbounded
            await asyncio.gather(*(store.write(big, publish=NOBODY.publish) for _ in range(50)))
            seen.append(store.files.wal_bytes())
        stop.set()
        await reader
        # The writer truncates right after the batch that crossed the bound, once its
        # callers have been answered.
        deadline = time.monotonic() + 5
        while store.files.wal_bytes() > bound and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert store.files.wal_bytes() <= bound
        assert store.wal_truncations >= 2
        # Never far past the bound: a few batches of about 0.5 MB each at most.
        assert max(seen) < 5 * bound, max(seen)
        assert len(await store.read(lambda r: r.entries("uk.fire.a", 0, 5000))) == 2000
    finally:
        stop.set()
        await store.stop()


async def test_a_long_read_neither_stalls_writes_nor_keeps_the_wal_past_its_bound(tmp_path):
    """A report holding a read snapshot keeps the WAL from being cut back. The writer
    waits for it only briefly (writes queue meanwhile), and cuts the WAL back once the
    read ends, even if nothing more is written."""
    bound = 256 * 1024
    migrate.upgrade(tmp_path / "hub.sqlite")
    store = SqliteStore(tmp_path / "hub.sqlite", wal_max_bytes=bound)
    store.start()
    report = sqlite3.connect(tmp_path / "hub.sqlite", isolation_level=None)
    try:
        await store.write(add_agency("uk.fire.a"))
        report.execute("BEGIN")
        report.execute("SELECT count(*) FROM mailbox").fetchone()  # the snapshot is held

        def big(repo):
            return repo.append("uk.fire.a", EntryKind.INCIDENT_NEW, "inc_1", None,
                               b"x" * 2000, time.time())

        slowest = 0.0
        for _ in range(20):  # about 8 bounds' worth of WAL
            started = time.monotonic()
            await asyncio.gather(*(store.write(big, publish=NOBODY.publish) for _ in range(50)))
            slowest = max(slowest, time.monotonic() - started)
        assert slowest < 3, slowest  # the 10 s busy timeout would show here
        assert store.files.wal_bytes() > bound  # the reader really pinned it

        report.execute("COMMIT")
        deadline = time.monotonic() + 5
        while store.files.wal_bytes() > bound and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert store.files.wal_bytes() <= bound
    finally:
        report.close()
        await store.stop()
