"""The Store port without the server's machinery, for the command line: each job runs at
once, on the caller's thread, in a transaction of its own (`sqlite_store.transaction`).
A command runs a use case or two and exits, so there is nothing to batch; and it is safe
beside a running hub, as SQLite serialises the writers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from bluelight.hub.adapters.storage.sqlite_store import transaction
from bluelight.hub.services.ports import Repository

R = TypeVar("R")


class DirectStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    async def write(self, job: Callable[[Repository], R], *, urgent: bool = True) -> R:
        return transaction(self.path, job)

    async def read(self, job: Callable[[Repository], R]) -> R:
        # A transaction like any other: the command line reads what the hub committed.
        return transaction(self.path, job)

    def health(self) -> str | None:
        return None  # a store that cannot write says so when a job tries
