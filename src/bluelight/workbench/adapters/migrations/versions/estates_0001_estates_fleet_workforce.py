"""Estates, fleet and workforce: datasets, organisations, buildings, building counts,
fleet and workforce lines.

Revision ID: estates_0001
Revises:
Create Date: 2025-01-01
"""
import sqlalchemy as sa
from alembic import op

revision = "estates_0001"
down_revision = None
branch_labels = ("estates",)
depends_on = None


def _owner() -> list[sa.Column]:
    return [
        sa.Column("dataset_id", sa.String(60), sa.ForeignKey("estates_datasets.id"),
                  nullable=False),
        sa.Column("organisation_id", sa.String(120), sa.ForeignKey("estates_organisations.id"),
                  nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "estates_datasets",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "estates_organisations",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False, unique=True),
        sa.Column("service", sa.String(40), nullable=False),
    )
    op.create_table(
        "estates_buildings",
        sa.Column("id", sa.Integer, primary_key=True),
        *_owner(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("tenure", sa.String(10), nullable=False),
        sa.Column("address", sa.Text),
        sa.Column("postcode", sa.String(10)),
        sa.Column("uprn", sa.Integer),
        sa.Column("easting", sa.Float),
        sa.Column("northing", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("shared_with", sa.Text, nullable=False),
        sa.UniqueConstraint("dataset_id", "organisation_id", "name",
                            name="uq_estates_buildings_name"),
    )
    op.create_index("ix_estates_buildings_grid", "estates_buildings", ["dataset_id", "easting"])
    op.create_table(
        "estates_building_counts",
        *_owner(),
        sa.Column("buildings", sa.Integer, nullable=False),
        sa.Column("shared", sa.Integer, nullable=False),
        sa.Column("owned", sa.Integer),
        sa.Column("leased", sa.Integer),
        sa.Column("as_at", sa.String(10)),
        sa.Column("source", sa.Text),
        sa.PrimaryKeyConstraint("dataset_id", "organisation_id",
                                name="pk_estates_building_counts"),
    )
    op.create_table(
        "estates_fleet",
        sa.Column("id", sa.Integer, primary_key=True),
        *_owner(),
        sa.Column("vehicle_type", sa.String(100)),
        sa.Column("vehicles", sa.Integer, nullable=False),
        sa.Column("maintenance_cost_pence", sa.Integer, nullable=False),
        sa.Column("mileage", sa.Integer),
        sa.Column("as_at", sa.String(10)),
        sa.Column("source", sa.Text),
    )
    op.create_index("ix_estates_fleet_org", "estates_fleet", ["dataset_id", "organisation_id"])
    op.create_table(
        "estates_workforce",
        sa.Column("id", sa.Integer, primary_key=True),
        *_owner(),
        sa.Column("role", sa.String(120), nullable=False),
        sa.Column("staff", sa.Integer, nullable=False),
        sa.Column("as_at", sa.String(10)),
        sa.Column("source", sa.Text),
    )
    op.create_index("ix_estates_workforce_org", "estates_workforce",
                    ["dataset_id", "organisation_id"])


def downgrade() -> None:
    op.drop_index("ix_estates_workforce_org", table_name="estates_workforce")
    op.drop_table("estates_workforce")
    op.drop_index("ix_estates_fleet_org", table_name="estates_fleet")
    op.drop_table("estates_fleet")
    op.drop_table("estates_building_counts")
    op.drop_index("ix_estates_buildings_grid", table_name="estates_buildings")
    op.drop_table("estates_buildings")
    op.drop_table("estates_organisations")
    op.drop_table("estates_datasets")
