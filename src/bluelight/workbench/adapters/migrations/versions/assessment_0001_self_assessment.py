"""self-assessment (Audit Wales Appendix 4): assessments, answers, actions

Revision ID: assessment_0001
Revises:
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "assessment_0001"
down_revision = None
branch_labels = ("assessment",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("partnership", sa.String(length=200), nullable=False),
        sa.Column("partnership_key", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("respondent_name", sa.String(length=200), nullable=False),
        sa.Column("respondent_organisation", sa.String(length=200), nullable=False),
        sa.Column("respondent_role", sa.String(length=200), nullable=False),
        sa.Column("respondent_key", sa.String(length=420), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("partnership_key", "year", "respondent_key",
                            name="uq_assessments_respondent"),
    )
    op.create_index("ix_assessments_partnership_year", "assessments",
                    ["partnership_key", "year"])
    op.create_table(
        "assessment_answers",
        sa.Column("assessment_id", sa.String(length=40), nullable=False),
        sa.Column("statement_id", sa.String(length=10), nullable=False),
        sa.Column("rating", sa.String(length=10), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("assessment_id", "statement_id"),
    )
    op.create_table(
        "assessment_actions",
        sa.Column("assessment_id", sa.String(length=40), nullable=False),
        sa.Column("statement_id", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("assessment_id", "statement_id", "position"),
    )


def downgrade() -> None:
    op.drop_table("assessment_actions")
    op.drop_table("assessment_answers")
    op.drop_index("ix_assessments_partnership_year", table_name="assessments")
    op.drop_table("assessments")
