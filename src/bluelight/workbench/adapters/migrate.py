"""Bring the workbench database to its newest schema with Alembic, from code.

The versions folder holds independent branches, one per part of the workbench (each
migration chain declares its own `branch_labels`), so "heads" means all of them."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from bluelight.hub.adapters.storage.migrate import alembic_config as _config
from bluelight.hub.adapters.storage.migrate import sqlite_url

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str):
    return _config(url, MIGRATIONS)


def upgrade(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(sqlite_url(path)), "heads")
