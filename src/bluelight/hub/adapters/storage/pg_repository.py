"""The Repository port on PostgreSQL: the same SQL as on SQLite, through psycopg 3.

The repository's SQL is written once, in the dialect both engines share, with SQLite's
`?` and `?N` placeholders. `PgConnection` rewrites each statement once (cached) into
psycopg's `%s` form and reorders the arguments to match, so there is no second copy of
the queries to drift from the first. psycopg prepares a statement on the server after its
fifth use, so the hot statements are parsed and planned once per connection."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import psycopg

from bluelight.hub.adapters.storage.sqlite_repository import SqliteRepository

_PLACEHOLDER = re.compile(r"\?(\d*)")
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)  # the repository's reads lock nothing


@lru_cache(maxsize=1024)
def _rewrite(sql: str) -> tuple[str, tuple[int, ...] | None, bool]:
    """(psycopg's SQL, which argument goes in each place (None: as given), whether it
    only reads). A literal % becomes %% first. Placeholders never occur inside the
    repository's string literals."""
    order: list[int] = []
    numbered = False
    position = 0

    def place(match: re.Match) -> str:
        nonlocal numbered, position
        if match.group(1):
            numbered = True
            order.append(int(match.group(1)) - 1)
        else:
            order.append(position)
            position += 1
        return "%s"

    text = _PLACEHOLDER.sub(place, sql.replace("%", "%%"))
    return text, tuple(order) if numbered else None, _READ.match(sql) is not None


class PgConnection:
    """The slice of sqlite3.Connection the repository uses, over a psycopg connection."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.writes = 0  # statements run that may have changed something (see PgStore)

    def execute(self, sql: str, args: Sequence[Any] = ()) -> psycopg.Cursor:
        text, order, reads = _rewrite(sql)
        if order is not None:
            args = [args[i] for i in order]
        if not reads:
            self.writes += 1
        return self.conn.execute(text, args)


class PgRepository(SqliteRepository):
    """SqliteRepository's queries and caches, on a PostgreSQL connection. The writer's
    caches are kept only while no other node wrote in between (see `PgStore`)."""

    def __init__(self, conn: psycopg.Connection, *, cache: bool = False) -> None:
        self.link = PgConnection(conn)
        super().__init__(self.link, cache=cache)  # type: ignore[arg-type]
