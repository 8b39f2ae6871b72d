"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 00:54:48.969367
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.String(length=120), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('ack_deadline_s', sa.Float(), nullable=True),
    sa.Column('decision_deadline_s', sa.Float(), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('incident_id', sa.String(length=40), nullable=False),
    sa.Column('transfer_id', sa.String(length=40), nullable=True),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_incident', ['incident_id', 'id'], unique=False)

    op.create_table('mailbox',
    sa.Column('agency', sa.String(length=120), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('incident_id', sa.String(length=40), nullable=False),
    sa.Column('transfer_id', sa.String(length=40), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('acked_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('agency', 'seq')
    )
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        batch_op.create_index('ix_mailbox_unacked', ['agency', 'seq'], unique=False, sqlite_where=sa.text('acked_at IS NULL'))

    op.create_table('messages',
    sa.Column('sender', sa.String(length=120), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('incident_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('body_hash', sa.String(length=64), nullable=False),
    sa.Column('receipt', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('sender', 'message_id')
    )
    op.create_table('credentials',
    sa.Column('key_id', sa.String(length=40), nullable=False),
    sa.Column('agency_id', sa.String(length=120), nullable=False),
    sa.Column('secret_hash', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('revoked_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('key_id')
    )
    op.create_table('incidents',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('sender', sa.String(length=120), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['sender'], ['agencies.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sender', 'reference', name='uq_incidents_sender_reference')
    )
    op.create_table('transfers',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('incident_id', sa.String(length=40), nullable=False),
    sa.Column('sender', sa.String(length=120), nullable=False),
    sa.Column('recipient', sa.String(length=120), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('submitted_at', sa.Float(), nullable=False),
    sa.Column('ack_due_at', sa.Float(), nullable=True),
    sa.Column('decision_due_at', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index('ix_transfers_ack_due', ['ack_due_at'], unique=False, sqlite_where=sa.text('ack_due_at IS NOT NULL'))
        batch_op.create_index('ix_transfers_decision_due', ['decision_due_at'], unique=False, sqlite_where=sa.text('decision_due_at IS NOT NULL'))
        batch_op.create_index('ix_transfers_incident', ['incident_id'], unique=False)
        batch_op.create_index('ix_transfers_recipient', ['recipient', 'submitted_at'], unique=False)
        batch_op.create_index('ix_transfers_sender', ['sender', 'submitted_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index('ix_transfers_sender')
        batch_op.drop_index('ix_transfers_recipient')
        batch_op.drop_index('ix_transfers_incident')
        batch_op.drop_index('ix_transfers_decision_due', sqlite_where=sa.text('decision_due_at IS NOT NULL'))
        batch_op.drop_index('ix_transfers_ack_due', sqlite_where=sa.text('ack_due_at IS NOT NULL'))

    op.drop_table('transfers')
    op.drop_table('incidents')
    op.drop_table('credentials')
    op.drop_table('messages')
    with op.batch_alter_table('mailbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mailbox_unacked', sqlite_where=sa.text('acked_at IS NULL'))

    op.drop_table('mailbox')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_incident')

    op.drop_table('events')
    op.drop_table('agencies')
