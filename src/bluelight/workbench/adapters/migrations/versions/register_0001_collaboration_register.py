"""register: collaborations, partners, people, status history, benefits, actuals,
workstreams

Revision ID: register_0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "register_0001"
down_revision = None
branch_labels = ("register",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_workstreams",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("lead", sa.String(200)),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("source_document", sa.String(200)),
        sa.Column("source_section", sa.String(300)),
    )
    op.create_table(
        "register_collaborations",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("area", sa.String(120), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_reason", sa.Text),
        sa.Column("workstream", sa.String(80), sa.ForeignKey("register_workstreams.id")),
        sa.Column("start_date", sa.String(10)),
        sa.Column("target_date", sa.String(10)),
        sa.Column("end_date", sa.String(10)),
        sa.Column("source_document", sa.String(200)),
        sa.Column("source_title", sa.String(300)),
        sa.Column("source_section", sa.String(300)),
        sa.Column("live_source", sa.String(40)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_register_collaborations_area", "register_collaborations", ["area"])
    op.create_table(
        "register_partners",
        sa.Column("collaboration_id", sa.String(80),
                  sa.ForeignKey("register_collaborations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("service", sa.String(40), nullable=False),
        sa.PrimaryKeyConstraint("collaboration_id", "position"),
    )
    op.create_index("ix_register_partners_service", "register_partners", ["service"])
    op.create_table(
        "register_people",
        sa.Column("collaboration_id", sa.String(80),
                  sa.ForeignKey("register_collaborations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200)),
        sa.Column("service", sa.String(40)),
        sa.Column("email", sa.String(200)),
        sa.Column("phone", sa.String(40)),
        sa.Column("lead", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("collaboration_id", "position"),
    )
    op.create_table(
        "register_status_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("collaboration_id", sa.String(80),
                  sa.ForeignKey("register_collaborations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("previous", sa.String(20)),
        sa.Column("reason", sa.Text),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.Float, nullable=False),
    )
    op.create_index("ix_register_status_changes_collaboration", "register_status_changes",
                    ["collaboration_id"])
    op.create_table(
        "register_benefits",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("collaboration_id", sa.String(80),
                  sa.ForeignKey("register_collaborations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("measure", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("better", sa.String(10)),
        sa.Column("baseline", sa.Float),
        sa.Column("baseline_date", sa.String(10)),
        sa.Column("target", sa.Float),
        sa.Column("target_date", sa.String(10)),
        sa.Column("owner", sa.String(200)),
        sa.Column("evidence", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_register_benefits_collaboration", "register_benefits",
                    ["collaboration_id"])
    op.create_table(
        "register_actuals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("benefit_id", sa.String(100),
                  sa.ForeignKey("register_benefits.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.String(10), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("recorded_by", sa.String(200)),
        sa.Column("recorded_at", sa.Float, nullable=False),
    )
    op.create_index("ix_register_actuals_benefit", "register_actuals", ["benefit_id"])


def downgrade() -> None:
    for table in ("register_actuals", "register_benefits", "register_status_changes",
                  "register_people", "register_partners", "register_collaborations",
                  "register_workstreams"):
        op.drop_table(table)
