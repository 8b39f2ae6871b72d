"""The Store port without the server's machinery, for the command line: each job runs at
once, on the caller's thread, in a transaction of its own. A command runs a use case or
two and exits, so there is nothing to batch; and it is safe beside a running hub, as
the database serialises the writers.

It keeps the port's promise about mailbox entries as `SqliteStore` does: a job that
appends some without naming a publish step is refused (rolled back), and the step gets
them once they are committed. In a command's process nobody is connected to push them
to; a running hub's clients read them from the mailbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bluelight.hub.adapters.storage.settle import refuse_unpublished
from bluelight.hub.adapters.storage.sqlite_repository import SqliteRepository
from bluelight.hub.domain.transfer import Entry
from bluelight.hub.services.ports import Publish, Repository

R = TypeVar("R")


class DirectStore:
    """`transaction(job)` runs a job in a transaction of its own: on the SQLite file, or
    on the cluster's PostgreSQL (`bootstrap.hub_transaction` picks)."""

    def __init__(self, transaction: Callable[[Callable[[Repository], Any]], Any]) -> None:
        self.transaction = transaction

    async def write(self, job: Callable[[Repository], R], *, urgent: bool = True,
                    publish: Publish | None = None) -> R:
        appended: list[Entry] = []

        def checked(repo: Repository) -> R:
            result = job(repo)
            entries = repo.appended if isinstance(repo, SqliteRepository) else []
            refuse_unpublished(entries, publish)
            appended.extend(entries)
            return result

        result = self.transaction(checked)
        if publish is not None and appended:
            publish(appended)
        return result

    async def read(self, job: Callable[[Repository], R]) -> R:
        # A transaction like any other: the command line reads what the hub committed.
        return self.transaction(job)

    def health(self) -> str | None:
        return None  # a store that cannot write says so when a job tries
