"""The workbench's one unit of work: a transaction on its SQLite file, through SQLAlchemy
Core, in which the register, estates and assessment repositories share one connection.

The workbench is low traffic, so each `run` opens a short-lived connection (no pool) and
closes it after. The write lock is taken at BEGIN (IMMEDIATE): a deferred transaction
that reads and then writes can fail with "database is locked" when another writer (the
hub process, a CLI command) got in between; this way two writers queue instead."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from bluelight.kernel.migrations import sqlite_url
from bluelight.workbench.adapters.assessment_repository import SqlAssessmentRepository
from bluelight.workbench.adapters.estates_repository import SqlEstatesRepository
from bluelight.workbench.adapters.register_repository import SqlRegisterRepository

R = TypeVar("R")


@lru_cache(maxsize=64)
def _engine(path: str) -> Engine:
    engine = create_engine(sqlite_url(Path(path)), poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:
        # SQLAlchemy's begin() says when a transaction starts (below); pysqlite's own
        # handling would start it late, after the first reads.
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        # Wait for the hub's or another command's writer rather than fail at once.
        dbapi_conn.execute("PRAGMA busy_timeout = 5000")

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@dataclass(frozen=True)
class SqlRepositories:
    """The `Repositories` port: each part's repository on the transaction's connection."""

    register: SqlRegisterRepository
    estates: SqlEstatesRepository
    assessments: SqlAssessmentRepository


class SqliteUnitOfWork:
    """The `UnitOfWork` port over the workbench database at `path` (already migrated:
    `bootstrap` runs the migrations before it hands this out)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, job: Callable[[SqlRepositories], R]) -> R:
        with _engine(str(self.path)).begin() as conn:
            return job(SqlRepositories(register=SqlRegisterRepository(conn),
                                       estates=SqlEstatesRepository(conn),
                                       assessments=SqlAssessmentRepository(conn)))
