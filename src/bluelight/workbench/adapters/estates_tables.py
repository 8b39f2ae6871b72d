"""The estates tables of the workbench database, defined once with SQLAlchemy Core. The
migration `estates_0001` builds the same tables by hand (a unit test compares them).

Every figure belongs to a dataset: "main" (the working picture, which starts with the
Audit Wales figures) or "sample" (a synthetic list of buildings for the map and the
co-location finder), or any other a user imports into. Keeping synthetic data in its own
dataset means it can never leak into the Exhibit totals."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import Table as _Table

metadata = MetaData()


def Table(name: str, *args, **kw) -> _Table:  # noqa: N802 - mirrors sqlalchemy.Table
    return _Table(name, metadata, *args, **kw)


datasets = Table(
    "estates_datasets",
    Column("id", String(60), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("synthetic", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
)

organisations = Table(
    "estates_organisations",
    Column("id", String(120), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_key", String(200), nullable=False, unique=True),
    Column("service", String(40), nullable=False),
)

buildings = Table(
    "estates_buildings",
    Column("id", Integer, primary_key=True),
    Column("dataset_id", String(60), ForeignKey("estates_datasets.id"), nullable=False),
    Column("organisation_id", String(120), ForeignKey("estates_organisations.id"),
           nullable=False),
    Column("name", String(200), nullable=False),
    Column("type", String(20), nullable=False),
    Column("tenure", String(10), nullable=False),
    Column("address", Text),
    Column("postcode", String(10)),
    Column("uprn", Integer),
    Column("easting", Float),
    Column("northing", Float),
    Column("lat", Float),
    Column("lon", Float),
    Column("shared_with", Text, nullable=False),  # JSON list of organisation names
    UniqueConstraint("dataset_id", "organisation_id", "name",
                     name="uq_estates_buildings_name"),
    Index("ix_estates_buildings_grid", "dataset_id", "easting"),
)

building_counts = Table(
    "estates_building_counts",
    Column("dataset_id", String(60), ForeignKey("estates_datasets.id"), nullable=False),
    Column("organisation_id", String(120), ForeignKey("estates_organisations.id"),
           nullable=False),
    Column("buildings", Integer, nullable=False),
    Column("shared", Integer, nullable=False),
    Column("owned", Integer),
    Column("leased", Integer),
    Column("as_at", String(10)),
    Column("source", Text),
    PrimaryKeyConstraint("dataset_id", "organisation_id", name="pk_estates_building_counts"),
)

fleet = Table(
    "estates_fleet",
    Column("id", Integer, primary_key=True),
    Column("dataset_id", String(60), ForeignKey("estates_datasets.id"), nullable=False),
    Column("organisation_id", String(120), ForeignKey("estates_organisations.id"),
           nullable=False),
    Column("vehicle_type", String(100)),  # NULL: the whole fleet on one line
    Column("vehicles", Integer, nullable=False),
    Column("maintenance_cost_pence", Integer, nullable=False),
    Column("mileage", Integer),
    Column("as_at", String(10)),
    Column("source", Text),
    Index("ix_estates_fleet_org", "dataset_id", "organisation_id"),
)

workforce = Table(
    "estates_workforce",
    Column("id", Integer, primary_key=True),
    Column("dataset_id", String(60), ForeignKey("estates_datasets.id"), nullable=False),
    Column("organisation_id", String(120), ForeignKey("estates_organisations.id"),
           nullable=False),
    Column("role", String(120), nullable=False),
    Column("staff", Integer, nullable=False),
    Column("as_at", String(10)),
    Column("source", Text),
    Index("ix_estates_workforce_org", "dataset_id", "organisation_id"),
)
