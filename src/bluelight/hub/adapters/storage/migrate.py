"""Bring a database to the newest schema with Alembic, from code (no alembic.ini)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bluelight.kernel.migrations import alembic_config as _alembic_config
from bluelight.kernel.migrations import sqlite_url

MIGRATIONS = Path(__file__).with_name("migrations")

__all__ = ["MIGRATIONS", "alembic_config", "sqlite_url", "upgrade"]


def alembic_config(url: str, migrations: Path = MIGRATIONS) -> Config:
    return _alembic_config(url, migrations)


def upgrade(target: Path | str) -> None:
    """Bring the database to the newest schema: a SQLite file, or a PostgreSQL URL."""
    if isinstance(target, str):
        # Alembic's config is an INI file underneath: a % in a password must be doubled.
        command.upgrade(alembic_config(target.replace("%", "%%")), "head")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(sqlite_url(target)), "head")
