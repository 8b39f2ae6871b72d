"""The files of a SQLite database in WAL mode, and whether the hub may write them.

SQLite maps the `-shm` file (the WAL index) into memory and writes to it directly. If
that file stops being writable while mapped (an emergency read-only remount, `chattr +i`)
the next write to the mapping is answered by the kernel with SIGBUS, which kills the
process ("Fatal Python error: Bus error"); SQLite never sees an error to report. So the
store asks here, before it writes, and stops using the database instead."""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path


class DbFiles:
    def __init__(self, db: Path) -> None:
        self.db = db
        self.dir = db.parent if str(db.parent) else Path(".")
        self.wal = Path(f"{db}-wal")
        self.shm = Path(f"{db}-shm")

    def unwritable(self) -> str | None:
        """Why the database cannot be written, or None. Four access(2) calls: cheap
        enough for every batch. The -wal and -shm files may be missing (SQLite makes
        them in the directory)."""
        if not os.access(self.dir, os.W_OK | os.X_OK):
            return f"the data directory {self.dir} is not writable"
        for path in (self.db, self.wal, self.shm):
            if not os.access(path, os.W_OK) and (path is self.db or path.exists()):
                return f"{path} is not writable"
        return None

    def shm_writable(self) -> bool:
        return os.access(self.shm, os.W_OK)

    def wal_bytes(self) -> int:
        try:
            return self.wal.stat().st_size
        except FileNotFoundError:
            return 0


EXIT_SHM_LOST = 75  # EX_TEMPFAIL: restart me (the hub comes back up read-only, safely)
_pinned: list = []


def pin_until_exit(conn: object) -> None:
    """Keep `conn` open until the process ends, and end it without closing it.

    Closing a database's last connection checkpoints the WAL, which writes to the -shm
    mapping: once that file is read-only, that write is a SIGBUS. While this connection
    stays open no other close is the last one; at exit the process ends before Python's
    teardown could close it. A restarted hub opens the read-only -shm read-only, which
    SQLite handles without writing to it."""
    if not _pinned:
        atexit.register(_exit_now)
    _pinned.append(conn)


def _exit_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_SHM_LOST)
