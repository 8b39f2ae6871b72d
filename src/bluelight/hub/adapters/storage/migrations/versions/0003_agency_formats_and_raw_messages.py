"""agency formats and raw messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:21:21.132846
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('raw_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agency', sa.String(length=120), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('media_type', sa.String(length=80), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('incident_id', sa.String(length=40), nullable=True),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.Column('losses', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('raw_messages', schema=None) as batch_op:
        batch_op.create_index('ix_raw_messages_incident', ['incident_id'], unique=False)

    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.String(length=20), server_default='bluelight', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('format')

    with op.batch_alter_table('raw_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_raw_messages_incident')

    op.drop_table('raw_messages')
