"""The hub's tables, defined once with SQLAlchemy Core. Alembic migrations are generated
from this metadata; the SQLite adapter's hand-written SQL must match it (tests check)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Table as _Table

metadata = MetaData()


def Table(name: str, *args, **kw) -> _Table:  # noqa: N802 - mirrors sqlalchemy.Table
    return _Table(name, metadata, *args, **kw)


agencies = Table(
    "agencies",
    Column("id", String(120), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("service", String(40), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("ack_deadline_s", Float),
    Column("decision_deadline_s", Float),
    Column("created_at", Float, nullable=False),
    Column("format", String(20), nullable=False, server_default="bluelight"),
)

credentials = Table(
    "credentials",
    Column("key_id", String(40), primary_key=True),
    Column("agency_id", String(120), ForeignKey("agencies.id"), nullable=False),
    Column("secret_hash", String(128), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

incidents = Table(
    "incidents",
    Column("id", String(40), primary_key=True),
    Column("sender", String(120), ForeignKey("agencies.id"), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("body", LargeBinary, nullable=False),  # the incident as it stands (msgspec JSON)
    Column("created_at", Float, nullable=False),
    # Set when retention removed the personal data (the audit log keeps a tombstone).
    Column("purged_at", Float),
    UniqueConstraint("sender", "reference", name="uq_incidents_sender_reference"),
)

# Each incident's update history, one row per update (docs/decisions/0021): the
# incident's own body stays the same size however many updates it has.
incident_updates = Table(
    "incident_updates",
    Column("incident_id", String(40), ForeignKey("incidents.id"), nullable=False),
    Column("version", Integer, nullable=False),  # 1, 2, 3... per incident
    Column("at", Float, nullable=False),
    Column("sender", String(120), nullable=False),
    Column("message_id", String(128)),  # none: text migration 0006 split out of notes
    Column("text", Text),  # none once the retention purge removed it
    PrimaryKeyConstraint("incident_id", "version"),
)

# One row per sender message: the idempotency record and its original receipt.
messages = Table(
    "messages",
    Column("sender", String(120), nullable=False),
    Column("message_id", String(36), nullable=False),
    Column("incident_id", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("receipt", LargeBinary, nullable=False),
    Column("received_at", Float, nullable=False),
    PrimaryKeyConstraint("sender", "message_id"),
)

transfers = Table(
    "transfers",
    Column("id", String(40), primary_key=True),
    Column("incident_id", String(40), ForeignKey("incidents.id"), nullable=False),
    Column("sender", String(120), nullable=False),
    Column("recipient", String(120), nullable=False),
    Column("state", String(20), nullable=False),
    Column("body", LargeBinary, nullable=False),  # the whole Transfer (msgspec JSON)
    Column("submitted_at", Float, nullable=False),
    Column("ack_due_at", Float),
    Column("decision_due_at", Float),
    Index("ix_transfers_incident", "incident_id"),
    Index("ix_transfers_sender", "sender", "submitted_at"),
    Index("ix_transfers_recipient", "recipient", "submitted_at"),
    # The escalation scan reads only transfers still waiting on a deadline.
    Index("ix_transfers_ack_due", "ack_due_at", sqlite_where=text("ack_due_at IS NOT NULL"),
          postgresql_where=text("ack_due_at IS NOT NULL")),
    Index(
        "ix_transfers_decision_due", "decision_due_at", sqlite_where=text("decision_due_at IS NOT NULL"),
        postgresql_where=text("decision_due_at IS NOT NULL")
    ),
)

# Each agency's ordered mailbox: everything pushed to it, kept until acknowledged and after.
mailbox = Table(
    "mailbox",
    Column("agency", String(120), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("incident_id", String(40), nullable=False),
    Column("transfer_id", String(40)),
    Column("body", LargeBinary, nullable=False),
    Column("at", Float, nullable=False),
    Column("acked_at", Float),
    PrimaryKeyConstraint("agency", "seq"),
    Index("ix_mailbox_unacked", "agency", "seq", sqlite_where=text("acked_at IS NULL"),
          postgresql_where=text("acked_at IS NULL")),
)

events = Table(
    "events",
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", String(40), nullable=False),
    Column("transfer_id", String(40)),
    Column("at", Float, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("detail", Text),
    Index("ix_events_incident", "incident_id", "id"),
)

operators = Table(
    "operators",
    Column("username", String(64), primary_key=True),
    Column("agency_id", String(120), ForeignKey("agencies.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
    # "operator" works the console; "admin" also manages agencies, agreements and
    # credentials (every admin action is audited).
    Column("role", String(20), nullable=False, server_default="operator"),
)

# Console sessions, server side so that they expire and can be ended at once.
sessions = Table(
    "sessions",
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("operators.username"), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_sessions_expires", "expires_at"),
)

# Messages exactly as a partner's system sent them, before translation: the evidence of
# what was said, kept beside the native form the hub acted on.
raw_messages = Table(
    "raw_messages",
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(120), nullable=False),
    Column("format", String(20), nullable=False),
    Column("media_type", String(80), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("incident_id", String(40)),
    Column("received_at", Float, nullable=False),
    Column("losses", Text),
    Index("ix_raw_messages_incident", "incident_id"),
)

# Which agencies receive the public alerts (CAP) a source publishes with no addressees,
# e.g. the fire service and the police take the Environment Agency's flood warnings.
alert_subscriptions = Table(
    "alert_subscriptions",
    Column("source", String(120), ForeignKey("agencies.id"), nullable=False),
    Column("subscriber", String(120), ForeignKey("agencies.id"), nullable=False),
    PrimaryKeyConstraint("source", "subscriber"),
)

# Public keys with which agencies sign their messages (JWS). Several may be active at
# once, so a key can be rotated without downtime; a revoked key verifies nothing more.
signing_keys = Table(
    "signing_keys",
    Column("key_id", String(64), primary_key=True),
    Column("agency_id", String(120), ForeignKey("agencies.id"), nullable=False),
    Column("algorithm", String(20), nullable=False),
    Column("public_key", Text, nullable=False),  # PEM (SubjectPublicKeyInfo)
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
    Index("ix_signing_keys_agency", "agency_id"),
)

# Every verified signature, kept as evidence of who sent what: the recipient (or an
# auditor) can check it against the sender's public key.
signatures = Table(
    "signatures",
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(120), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("message_id", String(64)),
    Column("incident_id", String(40)),
    Column("transfer_id", String(40)),
    Column("key_id", String(64), nullable=False),
    Column("jws", Text, nullable=False),  # compact serialisation, payload detached
    Column("payload", LargeBinary, nullable=False),  # the exact signed bytes
    Column("signed_at", Float, nullable=False),
    Column("received_at", Float, nullable=False),
    Index("ix_signatures_message", "agency", "message_id"),
    Index("ix_signatures_incident", "incident_id"),
)

# Data-sharing agreements, every version kept: a transfer names the version it was sent
# under, so what applied then can always be shown.
agreements = Table(
    "agreements",
    Column("id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),  # the whole Agreement (msgspec JSON)
    Column("created_at", Float, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("withdrawn_at", Float),
    PrimaryKeyConstraint("id", "version"),
)

# The append-only audit log. Each record carries the hash of the one before, so an
# edited or deleted record breaks the chain (`bluelight audit verify`).
audit_log = Table(
    "audit_log",
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", Float, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(60), nullable=False),
    Column("agency", String(120)),  # whose data or account it concerns
    Column("counterparty", String(120)),  # the other agency of a transfer, if any
    Column("incident_id", String(40)),
    Column("transfer_id", String(40)),
    Column("detail", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_incident", "incident_id"),
    Index("ix_audit_agency", "agency"),
    Index("ix_audit_counterparty", "counterparty"),
)

# How many write batches have committed, cluster-wide. Each writer bumps it under the
# write lock; a writer that sees it moved by more than its own bump knows another hub
# node wrote in between, and drops what it had cached (see `PgStore`). One row, id 1.
writer_epoch = Table(
    "writer_epoch",
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("n", BigInteger, nullable=False),
    # moved by a trigger on PostgreSQL whenever agencies or agreements change (0008)
    Column("directory", BigInteger, nullable=False, server_default="0"),
)

# Time-bound leases: the hub node that holds one does a cluster-wide chore (the overdue
# scan) until `expires_at`, renewing as it goes; a node that died or froze loses it.
leases = Table(
    "leases",
    Column("name", String(64), primary_key=True),
    Column("holder", String(120), nullable=False),
    Column("expires_at", Float, nullable=False),
)
