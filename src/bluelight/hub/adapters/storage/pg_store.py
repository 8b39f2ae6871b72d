"""The Store port on PostgreSQL, for a hub node of a regional cluster (issue 12).

**One writer at a time, cluster-wide.** Each node has one writer thread with one
connection. It takes the jobs queued since its last batch, runs them in one transaction,
and commits once: group commit, as on SQLite. The transaction
first takes an advisory lock (`WRITE_LOCK`), so batches from different nodes never
interleave. That keeps what the single-node hub promised: an agency's mailbox `seq`
goes 1, 2, 3 with no gap in commit order whichever node wrote it, a sender's messages are
stored in the order they arrived, a job sees everything committed before it (so the
overdue scan raises each alarm once), and no two batches can deadlock. Under load batches
grow, so the lock is taken per batch, not per message. See decision 0025.

**A job that fails is undone alone.** Every statement is a round trip under the lock, so
jobs run without a SAVEPOINT each. One that fails before changing anything (a validation
fault, which use cases find first) just answers with its error. One that fails after
changing something makes the writer roll the batch back and run it again with a
savepoint per job: a job may therefore run twice, and only its last run counts (jobs
work on the repository they are given and nothing else).

**Durable means on two servers.** The database runs with a synchronous standby
(`synchronous_standby_names`), so COMMIT returns only once the standby has flushed the
WAL too. If that takes longer than `commit_timeout_s` (the standby is gone), the callers
are answered 503 "not confirmed": never 201 for something one server holds. Their jobs
may still commit later; the sender's retry with the same message id then gets the
original receipt.

**Caches stay right across nodes.** The writer caches agencies, agreements, each
mailbox's last seq and the audit chain's head, as on SQLite. Every batch bumps
`writer_epoch` under the lock; when it moved by more than this writer's own bump, another
node wrote in between and the seqs and audit head are dropped. Agencies, agreements and
who has a signing key are dropped only when `writer_epoch.directory` moved: a trigger
moves it whenever one of those tables changes (migration 0008).

**A frozen node** (SIGSTOP, a stalled VM) must not hold the write lock, and with it every
node's writes, for as long as it is frozen: the writer's session has an
`idle_in_transaction_session_timeout` (`idle_in_transaction_s`, 2 s), after which the
server ends it, releasing the lock and undoing the batch (its callers get 503 and send
again; a node whose COMMIT is under way is not idle, and its commit completes).

**Errors.** A lost connection, a server that is shutting down or read-only (a standby
not yet promoted), or any I/O fault fails the batch with `StorageUnavailable` (503): the
writer reconnects, and libpq's `target_session_attrs=read-write` finds whichever server
is the primary now. A job's own fault (a constraint it broke) undoes that job alone."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import psycopg
import structlog
from psycopg_pool import ConnectionPool, PoolTimeout

from bluelight.hub.adapters.storage.pg_repository import PgRepository
from bluelight.hub.adapters.storage.settle import refuse_unpublished, settle
from bluelight.hub.domain.transfer import Entry
from bluelight.hub.services.ports import Publish, Repository
from bluelight.kernel.errors import StorageUnavailable

R = TypeVar("R")
log = structlog.get_logger(__name__)

WRITE_LOCK = 0x626C_7772  # any constant, the same on every node ("blwr")

# Errors of the server or the link, not of a job: the batch is not stored, try again.
_UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError,
                psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.AdminShutdown)


def _unavailable(exc: BaseException) -> bool:
    return isinstance(exc, _UNAVAILABLE)


class _Job:
    __slots__ = ("fn", "future", "publish", "result", "error", "entries", "urgent", "timer")

    def __init__(self, fn: Callable[[Repository], Any], future: asyncio.Future,
                 publish: Publish | None, urgent: bool) -> None:
        self.fn, self.future, self.publish, self.urgent = fn, future, publish, urgent
        self.result: Any = None
        self.error: BaseException | None = None
        self.entries: list[Entry] = []
        self.timer: asyncio.TimerHandle | None = None


def connect(dsn: str, **kwargs: Any) -> psycopg.Connection:
    """A connection in autocommit mode: the store says BEGIN and COMMIT itself."""
    try:
        return psycopg.connect(dsn, autocommit=True, **kwargs)
    except psycopg.Error as exc:
        raise StorageUnavailable(f"the hub cannot reach its database: {_first_line(exc)}"
                                 ) from exc


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def transaction(dsn: str, job: Callable[[Repository], R]) -> R:
    """One job in its own transaction, outside any event loop (the command line, tests).
    It takes the write lock like a hub node's writer, so it is safe beside running
    nodes."""
    with connect(dsn) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        # The nodes' writers must drop their caches: this is a write they did not see.
        conn.execute("UPDATE writer_epoch SET n = n + 1 WHERE id = 1")
        return job(PgRepository(conn))


class PgStore:
    def __init__(self, dsn: str, *, max_batch: int = 512, readers: int = 4,
                 on_batch: Callable[[int, float], None] | None = None,
                 lazy_delay_s: float = 0.01, commit_timeout_s: float = 5.0,
                 idle_in_transaction_s: float = 2.0) -> None:
        self.dsn = dsn
        self._max_batch = max_batch
        self._on_batch = on_batch
        self._lazy_delay_s = lazy_delay_s
        self.commit_timeout_s = commit_timeout_s
        self.idle_in_transaction_s = idle_in_transaction_s
        self._pending: deque[_Job] = deque()
        self._wake = threading.Condition()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writer: threading.Thread | None = None
        self._conn: psycopg.Connection | None = None
        self._repo: PgRepository | None = None
        self._epoch: int | None = None
        self._directory: int | None = None
        # Why the last attempt to write failed (None: it worked): `health` says it.
        self.trouble: str | None = None
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="bluelight-pg-read")
        self._pool = ConnectionPool(dsn, min_size=1, max_size=readers, open=False,
                                    kwargs={"autocommit": True}, timeout=2.0,
                                    reconnect_timeout=0, name="bluelight-read")

    # lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._pool.open(wait=False)
        self._stopping = False
        self._writer = threading.Thread(target=self._write_loop, name="bluelight-pg-write",
                                        daemon=True)
        self._writer.start()

    async def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._writer is not None:
            await asyncio.to_thread(self._writer.join)
            self._writer = None
        self._readers.shutdown(wait=True)
        await asyncio.to_thread(self._pool.close)

    def health(self) -> str | None:
        return self.trouble

    # port -----------------------------------------------------------------------------
    def write(self, job: Callable[[Repository], R], *, urgent: bool = True,
              publish: Publish | None = None) -> asyncio.Future[R]:
        """Queued now, in call order; the future resolves once the standby has the
        commit too, or fails with StorageUnavailable after `commit_timeout_s`."""
        future = self._loop.create_future()
        queued = _Job(job, future, publish, urgent)
        queued.timer = self._loop.call_later(self.commit_timeout_s, self._expire, queued)
        with self._wake:
            self._pending.append(queued)
            self._wake.notify()
        return future

    async def read(self, job: Callable[[Repository], R]) -> R:
        return await self._loop.run_in_executor(self._readers, self._read, job)

    # reads ------------------------------------------------------------------------------
    def _read(self, job: Callable[[Repository], R]) -> R:
        try:
            with self._pool.connection() as conn:
                # One consistent snapshot for the whole job, as SQLite's reader gives.
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    return job(PgRepository(conn))
                finally:
                    if not conn.closed:
                        conn.execute("COMMIT")
        except Exception as exc:
            if _unavailable(exc) or isinstance(exc, PoolTimeout):
                raise StorageUnavailable(f"the hub could not read its database: "
                                         f"{_first_line(exc)}") from exc
            raise

    # the writer thread --------------------------------------------------------------------
    def _take(self) -> list[_Job] | None:
        """The next batch, once there is one (None: stop; empty: time to see whether a
        failed database is back). Bookkeeping that is not urgent
        waits up to `lazy_delay_s` for company rather than pay for a commit alone."""
        with self._wake:
            while not self._pending and not self._stopping:
                # While the last write failed, look again every second even if no job
                # comes (an empty batch): a node whose health check fails gets no
                # traffic, so its recovery must not wait for a write.
                if not self._wake.wait(1.0 if self.trouble else None) and self.trouble:
                    return []
            if not self._pending:
                return None
            if not any(job.urgent for job in self._pending) and not self._stopping:
                self._wake.wait(self._lazy_delay_s)
            take = min(len(self._pending), self._max_batch)
            return [self._pending.popleft() for _ in range(take)]

    def _write_loop(self) -> None:
        while (batch := self._take()) is not None:
            if not batch:
                self._recheck()
                continue
            started = time.perf_counter()
            try:
                self._run(batch)
            except Exception as exc:  # whatever it was, every job taken gets an answer
                self._lost(exc)
                reason = (f"the hub could not store this message: {_first_line(exc)}"
                          if _unavailable(exc) or isinstance(exc, StorageUnavailable)
                          else "the hub could not store this message")
                if not _unavailable(exc) and not isinstance(exc, StorageUnavailable):
                    log.exception("batch failed; nothing of it was stored")
                failure = StorageUnavailable(reason)
                for job in batch:
                    job.error, job.entries = failure, []
            self._loop.call_soon_threadsafe(self._settle, batch)
            if self._on_batch:
                self._on_batch(len(batch), time.perf_counter() - started)

    def _recheck(self) -> None:
        """Can this node write again? Connect (to whichever server is primary now) and
        ask; the answer clears `trouble` or keeps it. On the writer thread, between
        batches."""
        try:
            self._connection()
            self._conn.execute("SELECT 1")
            if self._conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                raise StorageUnavailable("connected to a standby, not the primary")
            self.trouble = None
            log.info("database writable again")
        except Exception as exc:
            self._lost(exc, quiet=True)

    def _lost(self, exc: BaseException, quiet: bool = False) -> None:
        """Forget the connection (and with it the caches): the next batch reconnects."""
        self.trouble = _first_line(exc)
        if not quiet:
            log.error("database write failed; reconnecting for the next batch",
                      error=self.trouble)
        if self._conn is not None:
            # Closing a broken connection may fail too: it is gone either way.
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn, self._repo, self._epoch, self._directory = None, None, None, None

    def _connection(self) -> PgRepository:
        if self._conn is None:
            self._conn = connect(self.dsn)
            # A node frozen mid-batch (SIGSTOP, a stalled VM) would hold the write lock,
            # and so stop every node's writes, until it thawed: the server ends such a
            # session after this long, which releases the lock and undoes the batch
            # (its callers get 503 and send again). A node busy in COMMIT is not idle.
            self._conn.execute(
                f"SET idle_in_transaction_session_timeout = "
                f"{int(self.idle_in_transaction_s * 1000)}")
            self._repo = PgRepository(self._conn, cache=True)
        return self._repo

    def _run(self, batch: list[_Job]) -> None:
        repo = self._connection()
        conn = self._conn
        jobs = [job for job in batch if not job.future.done()]  # not answered already
        self._begin(repo)
        if not self._run_bare(repo, jobs):
            # A job failed after changing something: undo the whole batch and run it
            # again with each job in a savepoint of its own, so it is undone alone.
            conn.execute("ROLLBACK")
            repo.forget()
            self._epoch = self._directory = None
            for job in jobs:
                job.result, job.error, job.entries = None, None, []
            self._begin(repo)
            self._run_each_alone(repo, jobs)
        conn.execute("COMMIT")  # returns once the synchronous standby has it too
        self.trouble = None

    def _begin(self, repo: PgRepository) -> None:
        """Open the batch's transaction under the write lock, and drop what another
        writer made stale: the mailboxes' seqs and the audit head if anyone wrote since
        this writer's last batch, the directory too if it changed."""
        self._conn.execute("BEGIN")
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        epoch, directory = self._conn.execute(
            "UPDATE writer_epoch SET n = n + 1 WHERE id = 1 RETURNING n, directory"
        ).fetchone()
        if directory != self._directory:
            repo.forget()
        elif self._epoch is None or epoch != self._epoch + 1:
            repo.forget_mailboxes()
        self._epoch, self._directory = epoch, directory

    def _run_bare(self, repo: PgRepository, jobs: list[_Job]) -> bool:
        """Each job without a savepoint: two round trips fewer a job, under the write
        lock. A job that fails before changing anything (a validation fault, the usual
        case) is answered with its error and the batch goes on; False if one failed
        after changing something, or left the transaction aborted."""
        for job in jobs:
            repo.begin_job()
            writes = repo.link.writes
            try:
                job.result = job.fn(repo)
                refuse_unpublished(repo.appended, job.publish)
                job.entries = repo.appended
            except Exception as exc:
                if _unavailable(exc):
                    raise  # the link or the server, not the job: the batch fails
                if (repo.link.writes != writes or self._conn.info.transaction_status
                        != psycopg.pq.TransactionStatus.INTRANS):
                    return False
                repo.undo_job()
                job.result, job.error = None, exc
        return True

    def _run_each_alone(self, repo: PgRepository, jobs: list[_Job]) -> None:
        conn = self._conn
        for job in jobs:
            repo.begin_job()
            conn.execute("SAVEPOINT job")
            try:
                job.result = job.fn(repo)
                refuse_unpublished(repo.appended, job.publish)
                conn.execute("RELEASE SAVEPOINT job")
                job.entries = repo.appended
            except Exception as exc:
                if _unavailable(exc):
                    raise
                conn.execute("ROLLBACK TO SAVEPOINT job")
                conn.execute("RELEASE SAVEPOINT job")
                repo.undo_job()
                job.result, job.error = None, exc

    # back on the event loop ----------------------------------------------------------------
    def _expire(self, job: _Job) -> None:
        if not job.future.done():
            job.future.set_exception(StorageUnavailable(
                f"the hub could not confirm this was stored on two database servers "
                f"within {self.commit_timeout_s:g} s; send it again (a repeat with the "
                "same message id is recognised)"))

    def _settle(self, batch: list[_Job]) -> None:
        for job in batch:
            if job.timer is not None:
                job.timer.cancel()
        settle(batch)
