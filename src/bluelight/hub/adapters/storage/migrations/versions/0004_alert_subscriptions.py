"""alert subscriptions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 02:29:09.577725
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_subscriptions',
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('subscriber', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['source'], ['agencies.id'], ),
    sa.ForeignKeyConstraint(['subscriber'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('source', 'subscriber')
    )


def downgrade() -> None:
    op.drop_table('alert_subscriptions')
