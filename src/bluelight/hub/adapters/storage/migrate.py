"""Bring a database to the newest schema with Alembic, from code (no alembic.ini)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str, migrations: Path = MIGRATIONS) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def upgrade(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(sqlite_url(path)), "head")
