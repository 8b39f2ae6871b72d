"""The self-assessment's tables in the workbench database, defined once with SQLAlchemy
Core. The hand-written migration `assessment_0001` creates the same; a test compares
them."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

assessments = Table(
    "assessments", metadata,
    Column("id", String(40), primary_key=True),
    Column("partnership", String(200), nullable=False),
    # lower-cased, single-spaced: one partnership whatever its spelling
    Column("partnership_key", String(200), nullable=False),
    Column("year", Integer, nullable=False),
    Column("respondent_name", String(200), nullable=False),
    Column("respondent_organisation", String(200), nullable=False),
    Column("respondent_role", String(200), nullable=False),
    Column("respondent_key", String(420), nullable=False),
    Column("status", String(20), nullable=False),
    Column("recorded_by", String(120)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    # one assessment per respondent per partnership per year
    UniqueConstraint("partnership_key", "year", "respondent_key",
                     name="uq_assessments_respondent"),
    Index("ix_assessments_partnership_year", "partnership_key", "year"),
)

assessment_answers = Table(
    "assessment_answers", metadata,
    Column("assessment_id", String(40), ForeignKey("assessments.id", ondelete="CASCADE"),
           nullable=False),
    Column("statement_id", String(10), nullable=False),
    Column("rating", String(10)),
    Column("evidence", Text, nullable=False),
    PrimaryKeyConstraint("assessment_id", "statement_id"),
)

assessment_actions = Table(
    "assessment_actions", metadata,
    Column("assessment_id", String(40), nullable=False),
    Column("statement_id", String(10), nullable=False),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(200), nullable=False),
    Column("due", Date),
    PrimaryKeyConstraint("assessment_id", "statement_id", "position"),
)
