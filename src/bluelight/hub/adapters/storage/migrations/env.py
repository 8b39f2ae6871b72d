"""Alembic environment: runs migrations against the URL the caller configured."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bluelight.hub.adapters.storage.schema import metadata

config = context.config


# Any number, the same on every node: the hub nodes of a region start together and each
# brings the database up to date; the lock makes them take turns.
MIGRATION_LOCK = 0x626C_6D69


def _engine(url: str):
    if url.startswith(("postgresql://", "postgres://")):
        # A libpq URL, maybe naming several hosts (primary and standby): psycopg opens it
        # as it is, which SQLAlchemy's URL parser would not.
        import psycopg

        return create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(url))
    return create_engine(url)


def run() -> None:
    engine = _engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=metadata, render_as_batch=True
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            context.run_migrations()
    engine.dispose()


run()
