"""The register's tables, defined once with SQLAlchemy Core. The migration
(register_0001) is written by hand and must match them (a test checks)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

metadata = MetaData()

workstreams = Table(
    "register_workstreams", metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("lead", String(200)),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("source_document", String(200)),
    Column("source_section", String(300)),
)

collaborations = Table(
    "register_collaborations", metadata,
    Column("id", String(80), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("area", String(120), nullable=False, index=True),
    Column("category", String(40), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_reason", Text),
    Column("workstream", String(80), ForeignKey("register_workstreams.id")),
    Column("start_date", String(10)),
    Column("target_date", String(10)),
    Column("end_date", String(10)),
    Column("source_document", String(200)),
    Column("source_title", String(300)),
    Column("source_section", String(300)),
    Column("live_source", String(40)),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

partners = Table(
    "register_partners", metadata,
    Column("collaboration_id", String(80),
           ForeignKey("register_collaborations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("service", String(40), nullable=False, index=True),
    PrimaryKeyConstraint("collaboration_id", "position"),
)

people = Table(
    "register_people", metadata,
    Column("collaboration_id", String(80),
           ForeignKey("register_collaborations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("role", String(200), nullable=False),
    Column("organisation", String(200)),
    Column("service", String(40)),
    Column("email", String(200)),
    Column("phone", String(40)),
    Column("lead", Boolean, nullable=False, server_default="0"),
    PrimaryKeyConstraint("collaboration_id", "position"),
)

status_changes = Table(
    "register_status_changes", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("collaboration_id", String(80),
           ForeignKey("register_collaborations.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("status", String(20), nullable=False),
    Column("previous", String(20)),
    Column("reason", Text),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", Float, nullable=False),
)

benefits = Table(
    "register_benefits", metadata,
    Column("id", String(100), primary_key=True),
    Column("collaboration_id", String(80),
           ForeignKey("register_collaborations.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("measure", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("unit", String(20), nullable=False),
    Column("better", String(10)),
    Column("baseline", Float),
    Column("baseline_date", String(10)),
    Column("target", Float),
    Column("target_date", String(10)),
    Column("owner", String(200)),
    Column("evidence", Text),
    Column("created_at", Float, nullable=False),
)

actuals = Table(
    "register_actuals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("benefit_id", String(100), ForeignKey("register_benefits.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("at", String(10), nullable=False),
    Column("value", Float, nullable=False),
    Column("note", Text),
    Column("recorded_by", String(200)),
    Column("recorded_at", Float, nullable=False),
)
