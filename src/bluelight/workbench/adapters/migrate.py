"""Bring the workbench database to its newest schema with Alembic, from code.

The versions folder holds independent branches, one per part of the workbench (each
migration chain declares its own `branch_labels`), so "heads" means all of them."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from bluelight.kernel.migrations import alembic_config as _alembic_config
from bluelight.kernel.migrations import sqlite_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str):
    return _alembic_config(url, MIGRATIONS)


def upgrade(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(sqlite_url(path)), "heads")
