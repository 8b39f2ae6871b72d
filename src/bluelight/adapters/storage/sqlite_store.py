"""The Store port on SQLite: group commit on one write connection, a few reader threads.

Group commit is what makes "durable before acknowledged" affordable: jobs that arrive
while a commit's fsync is under way queue up and share the next commit. Each job runs
inside its own SAVEPOINT, so a job that fails leaves nothing behind and does not spoil
the rest of its batch. Futures are resolved, and entries published, only after COMMIT
returns.

Where the work runs matters in CPython. A batch's SQL is many short statements, and the
sqlite3 module releases the GIL around each one: on a writer thread, every statement
then waits to take the GIL back from the busy event loop, and a batch that needs 200 us
of CPU takes milliseconds. So the jobs run on the event loop itself (a batch is
time-boxed, see `max_batch_s`), and only COMMIT, which waits on fsync, goes to a thread.
While it waits, the loop keeps serving sockets and the next batch gathers."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import deque
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


class SqliteStore:
    def __init__(
        self,
        path: Path,
        publish: Callable[[list[Entry]], None] = lambda entries: None,
        *,
        max_batch: int = 1024,
        max_batch_s: float = 0.01,
        readers: int = 2,
        on_batch: Callable[[int, float], None] | None = None,
        checkpoint_interval_s: float = 2.0,
        lazy_delay_s: float = 0.01,
    ) -> None:
        self.path = path
        self._publish = publish
        self._max_batch = max_batch
        self._max_batch_s = max_batch_s
        self._on_batch = on_batch
        self._pending: deque[_Job] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: sqlite3.Connection | None = None
        self._repo: SqliteRepository | None = None
        self._drainer: asyncio.Task | None = None
        self._lazy_timer: asyncio.TimerHandle | None = None
        self._lazy_delay_s = lazy_delay_s
        self._committer = ThreadPoolExecutor(1, thread_name_prefix="bluelight-commit")
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="bluelight-read")
        self._checkpointer: threading.Thread | None = None
        self._checkpoint_interval = checkpoint_interval_s
        self._stopping = threading.Event()

    # lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._conn = self._connect()
        # Checkpoints run on their own thread (below), never inside a commit.
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        self._repo = SqliteRepository(self._conn, cache=True)
        self._data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        self._stopping.clear()
        self._checkpointer = threading.Thread(target=self._checkpoint_loop,
                                              name="bluelight-checkpoint", daemon=True)
        self._checkpointer.start()

    async def stop(self) -> None:
        if self._pending:
            self._kick()
        while self._drainer is not None and not self._drainer.done():
            await asyncio.shield(self._drainer)
        if self._checkpointer:
            self._stopping.set()
            await asyncio.to_thread(self._checkpointer.join)
            self._checkpointer = None
        self._committer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # port -----------------------------------------------------------------------------
    async def write(self, job: Callable[[Repository], R], *, urgent: bool = True) -> R:
        future = self._loop.create_future()
        self._pending.append(_Job(job, future))
        if urgent:
            self._kick()
        elif self._lazy_timer is None:
            # Bookkeeping (acks, the escalation scan) waits briefly for company rather
            # than paying for an fsync of its own.
            self._lazy_timer = self._loop.call_later(self._lazy_delay_s, self._kick)
        return await future

    def _kick(self) -> None:
        if self._lazy_timer is not None:
            self._lazy_timer.cancel()
            self._lazy_timer = None
        if self._drainer is None or self._drainer.done():
            self._drainer = self._loop.create_task(self._drain())

    async def read(self, job: Callable[[Repository], R]) -> R:
        return await self._loop.run_in_executor(self._readers, self._read, job)

    # internals ------------------------------------------------------------------------
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

    async def _drain(self) -> None:
        """One batch after another until nothing is pending. Only one runs at a time.
        Whatever goes wrong, every job taken gets an answer: a caller must never wait
        for ever on a message whose fate is unknown."""
        while self._pending:
            started = time.perf_counter()
            batch: list[_Job] = []
            try:
                batch = self._run_jobs(started)
                await self._commit(batch)
            except asyncio.CancelledError:
                self._fail(batch, "the hub is shutting down")
                raise
            except Exception as exc:
                log.exception("batch failed; nothing of it was stored")
                self._fail(batch, f"the hub could not store this message: {exc}")
            self._settle(batch)
            if self._on_batch:
                self._on_batch(len(batch), time.perf_counter() - started)

    def _fail(self, batch: list[_Job], reason: str) -> None:
        conn = self._conn
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            log.exception("rollback failed")
        self._repo.forget()
        failure = StorageUnavailable(reason)
        for job in batch:
            job.error, job.entries = failure, []

    def _run_jobs(self, started: float) -> list[_Job]:
        """Run pending jobs in one transaction, each in its own savepoint, until the
        queue is empty or the batch's time box is spent (so the loop stays responsive)."""
        conn, repo, pending = self._conn, self._repo, self._pending
        batch: list[_Job] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            job = pending.popleft()
            job.error = StorageUnavailable(f"the hub could not store this message: {exc}")
            return [job]
        # data_version moves when another connection (e.g. `bluelight agency set`) commits.
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            repo.forget()
        deadline = started + self._max_batch_s
        while pending and len(batch) < self._max_batch:
            job = pending.popleft()
            batch.append(job)
            if job.future.done():  # the caller went away
                continue
            repo.begin_job()
            conn.execute("SAVEPOINT job")
            try:
                job.result = job.fn(repo)
                conn.execute("RELEASE job")
                job.entries = repo.appended
            except Exception as exc:  # the job's own fault: undo it alone
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                repo.undo_job()
                job.error = exc
            if time.perf_counter() > deadline:
                break
        return batch

    async def _commit(self, batch: list[_Job]) -> None:
        conn = self._conn
        if not conn.in_transaction:
            return
        try:
            await self._loop.run_in_executor(self._committer, conn.execute, "COMMIT")
        except sqlite3.Error as exc:
            log.error("commit failed", error=str(exc), batch=len(batch))
            self._fail(batch, f"the hub could not store this message: {exc}")

    def _settle(self, batch: list[_Job]) -> None:
        """After commit: publish in commit order, then answer."""
        entries = [e for job in batch for e in job.entries]
        if entries:
            try:
                self._publish(entries)
            except Exception:  # a push failure must not un-answer a stored message
                log.exception("publish failed; entries stay in the mailbox for catch-up")
        for job in batch:
            if job.future.done():
                continue
            if job.error is not None:
                job.future.set_exception(job.error)
            else:
                job.future.set_result(job.result)
