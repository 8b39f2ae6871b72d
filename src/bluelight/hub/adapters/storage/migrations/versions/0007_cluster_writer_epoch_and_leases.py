"""cluster: the writer epoch and leases; PostgreSQL's partial indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 17:30:00

A regional hub runs several nodes on one PostgreSQL database (issue 12). `writer_epoch`
tells a node's writer whether another node wrote since its last batch; `leases` lets one
node at a time run the overdue scan. On PostgreSQL the three indexes that SQLite keeps
partial (0001 created them with `sqlite_where` only) are made partial there too.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_PARTIAL = [
    ("mailbox", "ix_mailbox_unacked", ["agency", "seq"], "acked_at IS NULL"),
    ("transfers", "ix_transfers_ack_due", ["ack_due_at"], "ack_due_at IS NOT NULL"),
    ("transfers", "ix_transfers_decision_due", ["decision_due_at"],
     "decision_due_at IS NOT NULL"),
]


def upgrade() -> None:
    op.create_table(
        "writer_epoch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO writer_epoch (id, n) VALUES (1, 0)")
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, name, columns, where in _PARTIAL:
            op.drop_index(name, table_name=table)
            op.create_index(name, table, columns, postgresql_where=sa.text(where))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, name, columns, _ in _PARTIAL:
            op.drop_index(name, table_name=table)
            op.create_index(name, table, columns)
    op.drop_table("leases")
    op.drop_table("writer_epoch")
