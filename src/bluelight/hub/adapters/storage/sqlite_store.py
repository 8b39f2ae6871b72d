"""The Store port on SQLite: group commit on one write connection, a few reader threads.

Group commit is what makes "durable before acknowledged" affordable: jobs that arrive
while a commit's fsync is under way queue up and share the next commit. Each job runs
inside its own SAVEPOINT, so a job that fails leaves nothing behind and does not spoil
the rest of its batch. Only after COMMIT returns are each job's new mailbox entries handed
to the `publish` its use case named (the delivery port), and then the futures resolved.

Where the work runs matters in CPython. A batch's SQL is many short statements, and the
sqlite3 module releases the GIL around each one: on a writer thread, every statement
then waits to take the GIL back from the busy event loop, and a batch that needs 200 us
of CPU takes milliseconds. So the jobs run on the event loop itself (a batch is
time-boxed, see `max_batch_s`), and only COMMIT, which waits on fsync, goes to a thread.
While it waits, the loop keeps serving sockets and the next batch gathers.

Two things keep the disk from hurting the hub. The WAL is bounded: the checkpoint thread
copies it into the database without blocking anyone, and once it passes `wal_max_bytes`
the writer, between two batches, checkpoints the rest and truncates it (readers have
only short transactions, so none pins it for long). And the files are checked before
they are written (see `db_files`): a store that cannot write refuses with
`StoreReadOnly` (503) rather than fail half-way or be killed by SIGBUS."""

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

from bluelight.hub.adapters.storage.db_files import DbFiles, pin_until_exit
from bluelight.hub.adapters.storage.settle import refuse_unpublished, settle
from bluelight.hub.adapters.storage.sqlite_repository import SqliteRepository, configure
from bluelight.hub.domain.transfer import Entry
from bluelight.hub.services.ports import Publish, Repository
from bluelight.kernel.errors import StorageUnavailable

R = TypeVar("R")
log = structlog.get_logger(__name__)


class StoreReadOnly(StorageUnavailable):
    """The database files cannot be written (read-only mount, permissions): nothing is
    stored until an operator fixes the disk and restarts the hub."""

    retry_after = 30


WAL_MAX_BYTES = 64 * 1024 * 1024
_CHECKPOINT_WAIT_MS = 100


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
    __slots__ = ("fn", "future", "publish", "result", "error", "entries")

    def __init__(self, fn: Callable[[Repository], Any], future: asyncio.Future,
                 publish: Publish | None = None) -> None:
        self.fn = fn
        self.future = future
        self.publish = publish
        self.result: Any = None
        self.error: BaseException | None = None
        self.entries: list[Entry] = []


class SqliteStore:
    def __init__(
        self,
        path: Path,
        *,
        max_batch: int = 1024,
        max_batch_s: float = 0.01,
        readers: int = 2,
        on_batch: Callable[[int, float], None] | None = None,
        checkpoint_interval_s: float = 2.0,
        lazy_delay_s: float = 0.01,
        wal_max_bytes: int = WAL_MAX_BYTES,
    ) -> None:
        self.path = path
        self.files = DbFiles(path)
        self.wal_max_bytes = wal_max_bytes
        self.wal_truncations = 0
        self._truncate_not_before = 0.0
        # Why the store cannot write (None: it can). Once set, it stays until a restart.
        self.read_only: str | None = None
        self._shm_live = False  # our connections map the -shm file writable
        self._shm_lost = False  # ...and it is no longer writable: touch nothing
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
        # The writer asks the checkpoint thread to copy the WAL now (`_wake`); once it
        # has (`_copied`), it stays idle until the writer has truncated the WAL.
        self._wake = threading.Event()
        self._copied = False
        self._nudge_timer: asyncio.TimerHandle | None = None
        self._busy_checkpoints = 0

    # lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._conn = self._connect()
        # Checkpoints run on their own thread (below), never inside a commit; the writer
        # truncates the WAL itself past the bound (`_bound_wal`). A WAL that SQLite
        # resets on its own is cut back to the bound too.
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        if self.wal_max_bytes > 0:
            self._conn.execute(f"PRAGMA journal_size_limit={int(self.wal_max_bytes)}")
        self._repo = SqliteRepository(self._conn, cache=True)
        self._data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        # A -shm that was read-only when SQLite opened it is held in private memory
        # instead, so SIGBUS is a hazard only when it was writable then and stops being.
        self._shm_live = self.files.shm_writable()
        if reason := self.files.unwritable():
            self._go_read_only(reason)
        self._stopping.clear()
        self._checkpointer = threading.Thread(target=self._checkpoint_loop,
                                              name="bluelight-checkpoint", daemon=True)
        self._checkpointer.start()

    async def stop(self) -> None:
        if self._nudge_timer is not None:
            self._nudge_timer.cancel()
            self._nudge_timer = None
        if self._pending:
            self._kick()
        while self._drainer is not None and not self._drainer.done():
            await asyncio.shield(self._drainer)
        if self._checkpointer:
            self._stopping.set()
            self._wake.set()
            await asyncio.to_thread(self._checkpointer.join)
            self._checkpointer = None
        self._committer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        if self._conn is not None and not self._shm_lost:  # else pinned: see db_files
            self._conn.close()
        self._conn = None

    def health(self) -> str | None:
        """Why the store cannot write, or None when it can. Checks the files now."""
        if self.read_only is None and self._conn is not None and (
                reason := self.files.unwritable()):
            self._go_read_only(reason)
        return self.read_only

    def _go_read_only(self, reason: str) -> None:
        if self.read_only is None:
            self.read_only = reason
            log.critical("store is read-only: submissions get 503 until the disk is fixed "
                         "and the hub restarted", reason=reason)
        if self._shm_live and not self._shm_lost and not self.files.shm_writable():
            self._shm_lost = True
            log.critical("the database's -shm file is no longer writable: reads are "
                         "refused too, and the hub will exit without closing the "
                         "database", shm=str(self.files.shm))
            pin_until_exit(self._conn)

    def _refusal(self) -> StoreReadOnly | None:
        if self.read_only is None and (reason := self.files.unwritable()):
            self._go_read_only(reason)
        if self.read_only is None:
            return None
        return StoreReadOnly(f"the hub cannot write its database ({self.read_only}); "
                             "nothing was stored")

    # port -----------------------------------------------------------------------------
    def write(self, job: Callable[[Repository], R], *, urgent: bool = True,
              publish: Publish | None = None) -> asyncio.Future[R]:
        """Queued now, in call order (see the port); the future resolves after COMMIT."""
        if self.read_only is not None:
            raise self._refusal()
        future = self._loop.create_future()
        self._pending.append(_Job(job, future, publish))
        if urgent:
            self._kick()
        elif self._lazy_timer is None:
            # Bookkeeping (acks, the escalation scan) waits briefly for company rather
            # than paying for an fsync of its own.
            self._lazy_timer = self._loop.call_later(self._lazy_delay_s, self._kick)
        return future

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
        # A reader writes to the -shm mapping too (its read mark): check it first.
        if self._shm_live and not self._shm_lost and not self.files.shm_writable():
            self._go_read_only(f"{self.files.shm} is not writable")
        if self._shm_lost:
            raise StoreReadOnly(f"the hub cannot use its database ({self.read_only})")
        try:
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = self._connect()
            conn.execute("BEGIN")  # one consistent snapshot for the whole job
            try:
                return job(SqliteRepository(conn))
            finally:
                # Ends the snapshot at once: a read transaction left open would keep the
                # checkpoint from reaching the WAL's end, and so from truncating it.
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # I/O error, unreadable file...
            raise StorageUnavailable(f"the hub could not read its database: {exc}") from exc

    def _checkpoint_loop(self) -> None:
        """Copy the WAL into the database off the commit path. Left to SQLite, the
        checkpoint runs inside whichever commit crosses the threshold, and that commit
        (and every job waiting on it) pays for it: the latency tail. PASSIVE never blocks
        the writer."""
        conn = self._connect()
        while not self._stopping.is_set():
            self._wake.wait(self._checkpoint_interval)
            asked, _ = self._wake.is_set(), self._wake.clear()
            if self._stopping.is_set():
                break
            if self._copied:  # a truncation is due: two checkpoints cannot run at once
                continue
            if self.read_only is not None or not self.files.shm_writable():
                continue  # the writer notices and refuses; nothing to copy meanwhile
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:
                log.warning("checkpoint failed", error=str(exc))
            self._copied = asked
        conn.close()

    async def _bound_wal(self) -> None:
        """Past `wal_max_bytes`, checkpoint the rest of the WAL and start it again from
        the beginning, on the commit thread between two batches (jobs queue meanwhile,
        as during an fsync). PASSIVE checkpoints alone never bound it: SQLite reuses the
        WAL only when no reader is using it at the moment a writer begins, and under
        steady load that moment may never come (the WAL reached several GB).

        The checkpoint thread is first asked to copy the bulk without blocking anyone;
        the writer's checkpoint follows at the next batch. Under load it is a RESTART:
        the next commit writes from the WAL's start and `journal_size_limit` cuts the
        file back to the bound, which costs less than truncating it to nothing. When no
        job is waiting it is a TRUNCATE, and an idle hub's WAL is empty."""
        if (not self.wal_max_bytes or self.read_only is not None
                or self.files.wal_bytes() <= self.wal_max_bytes):
            return
        if time.monotonic() < self._truncate_not_before:
            self._again_later(0.1)
            return
        if not self._copied:
            self._wake.set()
            self._again_later(0.05)
            return
        mode = "RESTART" if self._pending else "TRUNCATE"
        busy = await self._loop.run_in_executor(self._committer, self._checkpoint, mode)
        self._copied = False
        if busy:  # a reader outlasted the wait: try again shortly, not every batch
            self._truncate_not_before = time.monotonic() + 0.1
            self._again_later(0.1)
        else:
            self.wal_truncations += 1

    def _again_later(self, delay: float) -> None:
        """Make sure `_bound_wal` runs again even if no job comes (an idle hub)."""
        if not self._pending and self._nudge_timer is None:
            self._nudge_timer = self._loop.call_later(delay, self._nudge)

    def _nudge(self) -> None:
        """An empty job: it writes nothing, and `_bound_wal` runs after it."""
        self._nudge_timer = None
        if self.read_only is None and self._conn is not None:
            future = self._loop.create_future()
            future.add_done_callback(lambda f: f.cancelled() or f.exception())  # no answer due
            self._pending.append(_Job(lambda repo: None, future))
            self._kick()

    def _checkpoint(self, mode: str) -> bool:
        """True if readers kept it from finishing. It waits for them at most
        `_CHECKPOINT_WAIT_MS`, not the connection's 10 s busy timeout: writes queue
        meanwhile, so a long read (a report) must not stall them; it is tried again."""
        if self._refusal() is not None:
            return True
        conn = self._conn
        try:
            usual = conn.execute("PRAGMA busy_timeout").fetchone()[0]
            conn.execute(f"PRAGMA busy_timeout={_CHECKPOINT_WAIT_MS}")
            try:
                busy, _, _ = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
            finally:
                conn.execute(f"PRAGMA busy_timeout={usual}")
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint failed", mode=mode, error=str(exc))
            return True
        self._busy_checkpoints = self._busy_checkpoints + 1 if busy else 0
        if self._busy_checkpoints == 10:  # about a second of retries: say so, once
            log.warning("WAL checkpoint keeps waiting for readers; retrying", mode=mode,
                        wal_bytes=self.files.wal_bytes())
        return bool(busy)

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
            settle(batch)
            if self._on_batch:
                self._on_batch(len(batch), time.perf_counter() - started)
            await self._bound_wal()

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
        if (refusal := self._refusal()) is not None:  # before SQLite writes anything
            batch = list(pending)
            pending.clear()
            for job in batch:
                job.error = refusal
            return batch
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
                refuse_unpublished(repo.appended, job.publish)
                conn.execute("RELEASE job")
                job.entries = repo.appended
            except Exception as exc:  # the job's own fault: undo it alone
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                repo.undo_job()
                # ...unless SQLite could not do it (read-only file, I/O error, disk
                # full): then the sender must hear "not stored, try again", not a 500.
                job.error = (StorageUnavailable(f"the hub could not store this message: "
                                                f"{exc}")
                             if isinstance(exc, sqlite3.OperationalError) else exc)
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
