"""The hand-written migration matches the table definitions, and the repository
round-trips a collaboration in one transaction."""

from __future__ import annotations

import sqlite3

import pytest

from bluelight.kernel.errors import Invalid
from bluelight.wire.service import Service
from bluelight.workbench.adapters import migrate
from bluelight.workbench.adapters import register_tables as t
from bluelight.workbench.adapters.unit_of_work import SqliteUnitOfWork
from bluelight.workbench.domain.collaboration import (
    Category,
    ChangeStatus,
    NewCollaboration,
    Partner,
    Status,
)
from bluelight.workbench.services import register
from bluelight.workbench.services.register import Filters


def test_migration_matches_tables(tmp_path):
    db = tmp_path / "w.sqlite"
    migrate.upgrade(db)
    conn = sqlite3.connect(db)
    for table in t.metadata.sorted_tables:
        columns = {row[1]: row for row in conn.execute(f"PRAGMA table_info({table.name})")}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for col in table.columns:
            assert bool(columns[col.name][3]) == (not col.nullable) or col.primary_key, (
                table.name, col.name)
    versions = {r[0] for r in conn.execute("SELECT version_num FROM alembic_version")}
    assert "register_0001" in versions


def test_create_then_find_by_service_and_text_and_a_failed_write_leaves_nothing(tmp_path):
    db = tmp_path / "w.sqlite"
    migrate.upgrade(db)
    new = NewCollaboration(title="Shared station", area="Gwent", category=Category.CO_LOCATION,
                           description="Police and fire share the Abergavenny station.",
                           partners=[Partner(organisation="Gwent Police",
                                             service=Service.POLICE)])
    uow = SqliteUnitOfWork(db)
    created = uow.run(lambda tx: register.create(tx.register, new, "tester", 1.0))

    def found(tx) -> None:
        repo = tx.register
        assert [c.id for c in repo.search(Filters(service="police"))] == [created.id]
        assert repo.search(Filters(service="fire")) == []
        assert [c.id for c in repo.search(Filters(text="ABERGAVENNY"))] == [created.id]
        assert repo.get(created.id).status_history[0].by == "tester"

    uow.run(found)

    def create_then_reject(tx) -> None:
        register.create(tx.register, NewCollaboration(
            title="x", area="Gwent", id="second", category=Category.FLEET, description="d"),
            "tester", 2.0)
        register.change_status(tx.register, "second", ChangeStatus(
            status=Status.REJECTED), "tester", 3.0)  # no reason: the whole call rolls back

    with pytest.raises(Invalid):
        uow.run(create_then_reject)
    assert not uow.run(lambda tx: tx.register.exists("second"))
