"""Alembic run from code (no alembic.ini), shared by the hub's and the workbench's
migrations: each product keeps its own versions folder and database file."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config


def alembic_config(url: str, migrations: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"
