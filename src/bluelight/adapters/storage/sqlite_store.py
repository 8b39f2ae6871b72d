"""The Store port on SQLite: one writer thread with group commit, a few reader threads.

Group commit is what makes "durable before acknowledged" affordable: jobs that arrive
while a commit's fsync is under way queue up and share the next commit. Each job runs
inside its own SAVEPOINT, so a job that fails leaves nothing behind and does not spoil
the rest of its batch. Futures are resolved, and entries published, only after COMMIT
returns."""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import structlog

from bluelight.adapters.storage.sqlite_repository import SqliteRepository, configure
from bluelight.domain.transfer import Entry
from bluelight.services.ports import Repository

R = TypeVar("R")
log = structlog.get_logger(__name__)


class StorageUnavailable(Exception):
    """The commit failed (disk full, I/O error...): nothing of the job was stored."""


def transaction(path: Path, job: Callable[[Repository], R]) -> R:
    """Run one job in its own transaction, outside any event loop (the CLI, tests).
    Safe beside a running hub: SQLite serialises the writers."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        configure(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = job(SqliteRepository(conn))
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result
    finally:
        conn.close()


class _Job:
    __slots__ = ("fn", "future", "result", "error", "entries")

    def __init__(self, fn: Callable[[Repository], Any], future: asyncio.Future) -> None:
        self.fn = fn
        self.future = future
        self.result: Any = None
        self.error: BaseException | None = None
        self.entries: list[Entry] = []


_STOP = object()


class SqliteStore:
    def __init__(
        self,
        path: Path,
        publish: Callable[[list[Entry]], None] = lambda entries: None,
        *,
        max_batch: int = 512,
        readers: int = 2,
        on_batch: Callable[[int, float], None] | None = None,
        checkpoint_interval_s: float = 0.5,
    ) -> None:
        self.path = path
        self._publish = publish
        self._max_batch = max_batch
        self._on_batch = on_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: threading.Thread | None = None
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="bluelight-read")
        self._checkpointer: threading.Thread | None = None
        self._checkpoint_interval = checkpoint_interval_s
        self._stopping = threading.Event()

    def set_publisher(self, publish: Callable[[list[Entry]], None]) -> None:
        self._publish = publish

    # lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._writer = threading.Thread(target=self._write_loop, name="bluelight-writer",
                                        daemon=True)
        self._writer.start()
        self._stopping.clear()
        self._checkpointer = threading.Thread(target=self._checkpoint_loop,
                                              name="bluelight-checkpoint", daemon=True)
        self._checkpointer.start()

    async def stop(self) -> None:
        if self._writer:
            self._queue.put(_STOP)
            await asyncio.to_thread(self._writer.join)
            self._writer = None
        if self._checkpointer:
            self._stopping.set()
            await asyncio.to_thread(self._checkpointer.join)
            self._checkpointer = None
        self._readers.shutdown(wait=True)

    # port -----------------------------------------------------------------------------
    async def write(self, job: Callable[[Repository], R]) -> R:
        future = self._loop.create_future()
        self._queue.put(_Job(job, future))
        return await future

    async def read(self, job: Callable[[Repository], R]) -> R:
        return await self._loop.run_in_executor(self._readers, self._read, job)

    def read_now(self, job: Callable[[Repository], R]) -> R:
        """Synchronous read for the CLI and start-up; not for the event loop."""
        return self._read(job)

    # threads --------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        configure(conn)
        return conn

    def _read(self, job: Callable[[Repository], R]) -> R:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        conn.execute("BEGIN")  # one consistent snapshot for the whole job
        try:
            return job(SqliteRepository(conn))
        finally:
            conn.execute("COMMIT")

    def _checkpoint_loop(self) -> None:
        """Copy the WAL into the database off the commit path. Left to SQLite, the
        checkpoint runs inside whichever commit crosses the threshold, and that commit
        (and every job waiting on it) pays for it: the latency tail. PASSIVE never blocks
        the writer."""
        conn = self._connect()
        while not self._stopping.wait(self._checkpoint_interval):
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:
                log.warning("checkpoint failed", error=str(exc))
        conn.close()

    def _write_loop(self) -> None:
        conn = self._connect()
        conn.execute("PRAGMA wal_autocheckpoint=0")
        repo = SqliteRepository(conn)
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            started = time.perf_counter()
            self._run_batch(conn, repo, batch)
            if self._on_batch:
                self._on_batch(len(batch), time.perf_counter() - started)
        conn.close()

    def _run_batch(self, conn: sqlite3.Connection, repo: SqliteRepository, batch: list) -> None:
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in batch:
                repo.appended = []
                conn.execute("SAVEPOINT job")
                try:
                    job.result = job.fn(repo)
                    conn.execute("RELEASE job")
                    job.entries = repo.appended
                except Exception as exc:  # the job's own fault: undo it alone
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    job.error = exc
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.error("commit failed", error=str(exc), batch=len(batch))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failure = StorageUnavailable(f"the hub could not store this message: {exc}")
            for job in batch:
                job.error, job.entries = failure, []
        self._loop.call_soon_threadsafe(self._settle, batch)

    def _settle(self, batch: list[_Job]) -> None:
        """On the event loop, after commit: publish in commit order, then answer."""
        entries = [e for job in batch for e in job.entries]
        if entries:
            try:
                self._publish(entries)
            except Exception:  # a push failure must not un-answer a stored message
                log.exception("publish failed; entries stay in the mailbox for catch-up")
        for job in batch:
            if job.future.done():  # the caller went away (cancelled)
                continue
            if job.error is not None:
                job.future.set_exception(job.error)
            else:
                job.future.set_result(job.result)
