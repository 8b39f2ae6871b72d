"""cluster: the directory epoch, moved by PostgreSQL when the directory changes

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 20:35:00

A node's writer caches agencies, the agreements in force and which agencies have an
active signing key (issue 12). Until now it dropped those caches whenever another node
had written anything, which with three busy nodes was nearly every batch: more reads
per batch, under the region's write lock. `writer_epoch.directory` moves only when one
of those tables changes, and on PostgreSQL a statement-level trigger moves it, so no
code path that changes the directory can forget to. (The single-node SQLite hub has one writer and does not need it.)
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TABLES = ("agencies", "agreements", "signing_keys")


def upgrade() -> None:
    op.add_column("writer_epoch", sa.Column("directory", sa.BigInteger(), nullable=False,
                                            server_default="0"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
CREATE FUNCTION bluelight_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE writer_epoch SET directory = directory + 1 WHERE id = 1;
  RETURN NULL;
END $$""")
        for table in _TABLES:
            op.execute(f"CREATE TRIGGER {table}_directory_changed AFTER INSERT OR UPDATE OR "
                       f"DELETE OR TRUNCATE ON {table} FOR EACH STATEMENT "
                       "EXECUTE FUNCTION bluelight_directory_changed()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER {table}_directory_changed ON {table}")
        op.execute("DROP FUNCTION bluelight_directory_changed()")
    with op.batch_alter_table("writer_epoch") as batch:
        batch.drop_column("directory")
