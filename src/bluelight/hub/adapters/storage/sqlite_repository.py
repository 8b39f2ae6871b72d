"""The Repository port over one sqlite3 connection.

The hot path uses the DBAPI directly with hand-written SQL: SQLAlchemy Core's per-call
overhead (tens of microseconds) would cost a large share of the hub's throughput budget,
and it would run on a thread that shares the GIL with the event loop. The tables are
defined in `schema.py`; a test checks this SQL against them."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import msgspec

from bluelight.hub.adapters.storage.agreement_rows import AgreementRows
from bluelight.hub.adapters.storage.audit_rows import AuditRows
from bluelight.hub.adapters.storage.history_rows import HistoryRows
from bluelight.hub.adapters.storage.retention_rows import RetentionRows
from bluelight.hub.adapters.storage.signature_rows import SignatureRows
from bluelight.hub.domain.agency import Agency, MessageFormat, Service
from bluelight.hub.domain.operator import Operator, Role, Session
from bluelight.hub.domain.stored import stored
from bluelight.hub.domain.transfer import Entry, EntryKind, TimelineEvent, Transfer, TransferState
from bluelight.hub.services.ports import IncidentRecord, RawMessage, StoredMessage

_encode = msgspec.json.Encoder().encode
_transfer = msgspec.json.Decoder(Transfer).decode
# Stored incidents are read without the input limits: what was accepted stays readable.
_incident = msgspec.json.Decoder(stored(IncidentRecord)).decode
_detail = msgspec.json.Decoder(dict).decode
_session = msgspec.json.Decoder(Session).decode


def _entry(row: tuple) -> Entry:
    agency, seq, kind, incident_id, transfer_id, body, at = row
    return Entry(
        agency=agency,
        seq=seq,
        id=f"{agency}/{seq}",
        kind=EntryKind(kind),
        at=at,
        incident_id=incident_id,
        transfer_id=transfer_id,
        body=msgspec.Raw(body),
    )


_NO_LIMIT = 2**62
_ENTRY_COLUMNS = "agency, seq, kind, incident_id, transfer_id, body, at"
_AGENCY_COLUMNS = "id, name, service, phone, ack_deadline_s, decision_deadline_s, format"


def _agency(row: tuple) -> Agency:
    id_, name, service, phone, ack, decision, format_ = row
    return Agency(
        id=id_, name=name, service=Service(service), phone=phone, ack_deadline_s=ack,
        decision_deadline_s=decision, format=MessageFormat(format_),
    )


def configure(conn: sqlite3.Connection) -> None:
    """WAL with synchronous=FULL: a commit is on disk when it returns, so 'stored' is true."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA cache_size=-32768")  # 32 MiB: the hot mailbox and transfer pages


class SqliteRepository(AgreementRows, AuditRows, HistoryRows, RetentionRows,
                       SignatureRows):
    def __init__(self, conn: sqlite3.Connection, *, cache: bool = False) -> None:
        self._c = conn
        # Entries appended in the current job; the store publishes them after commit.
        self.appended: list[Entry] = []
        # The writer caches agencies and each mailbox's last seq: two statements fewer
        # per message. `begin_job`/`undo_job` keep the seq cache right across savepoint
        # rollbacks; `forget` drops everything (a failed commit, or another connection
        # such as the CLI committed: see SqliteStore).
        self._cache = cache
        self._agencies: dict[str, Agency | None] = {}
        self._signers: dict[str, bool] = {}
        self._seqs: dict[str, int] = {}
        self._undo: list[tuple[str, int | None]] = []

    def begin_job(self) -> None:
        self.appended = []
        self._undo = []
        self._audit_head_before = self._audit_head

    def undo_job(self) -> None:
        for agency, previous in reversed(self._undo):
            if previous is None:
                self._seqs.pop(agency, None)
            else:
                self._seqs[agency] = previous
        self._undo = []
        self.appended = []
        self._audit_head = self._audit_head_before
        # The job may have changed an agency, an agreement or a signing key and read it
        # back into a cache before it failed: what it cached is undone with it.
        self._forget_directory()

    def forget(self) -> None:
        self._forget_directory()
        self.forget_mailboxes()

    def _forget_directory(self) -> None:
        self._in_force = None
        self._agencies.clear()
        self._signers.clear()

    def forget_mailboxes(self) -> None:
        """Drop what another writer may have moved on without changing the directory:
        the mailboxes' last seqs and the audit chain's head."""
        self._audit_head = None
        self._seqs.clear()
        self._undo = []

    # agencies -----------------------------------------------------------------------
    def agency(self, agency_id: str) -> Agency | None:
        if self._cache and agency_id in self._agencies:
            return self._agencies[agency_id]
        row = self._c.execute(
            f"SELECT {_AGENCY_COLUMNS} FROM agencies WHERE id = ?", (agency_id,)
        ).fetchone()
        agency = _agency(row) if row else None
        if self._cache and agency is not None:
            self._agencies[agency_id] = agency
        return agency

    def agencies(self) -> list[Agency]:
        rows = self._c.execute(f"SELECT {_AGENCY_COLUMNS} FROM agencies ORDER BY id")
        return [_agency(r) for r in rows]

    def add_agency(self, agency: Agency, at: float) -> None:
        self._c.execute(
            "INSERT INTO agencies (id, name, service, phone, ack_deadline_s,"
            " decision_deadline_s, format, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (agency.id, agency.name, agency.service.value, agency.phone, agency.ack_deadline_s,
             agency.decision_deadline_s, agency.format.value, at),
        )

    def set_agency(self, agency: Agency) -> None:
        self._agencies.pop(agency.id, None)
        self._c.execute(
            "UPDATE agencies SET name = ?, service = ?, phone = ?, ack_deadline_s = ?,"
            " decision_deadline_s = ?, format = ? WHERE id = ?",
            (agency.name, agency.service.value, agency.phone, agency.ack_deadline_s,
             agency.decision_deadline_s, agency.format.value, agency.id),
        )

    # credentials --------------------------------------------------------------------
    def credential(self, key_id: str) -> tuple[str, str, float | None] | None:
        return self._c.execute(
            "SELECT agency_id, secret_hash, revoked_at FROM credentials WHERE key_id = ?",
            (key_id,),
        ).fetchone()

    def add_credential(self, key_id: str, agency_id: str, secret_hash: str, at: float) -> None:
        self._c.execute(
            "INSERT INTO credentials (key_id, agency_id, secret_hash, created_at)"
            " VALUES (?, ?, ?, ?)",
            (key_id, agency_id, secret_hash, at),
        )

    def credentials_of(self, agency_id: str) -> list[tuple[str, float, float | None]]:
        return self._c.execute(
            "SELECT key_id, created_at, revoked_at FROM credentials WHERE agency_id = ?"
            " ORDER BY created_at", (agency_id,)).fetchall()

    def revoke_credential(self, key_id: str, at: float) -> bool:
        return self._c.execute(
            "UPDATE credentials SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
            (at, key_id)).rowcount == 1

    def revoked_since(self, since: float) -> list[str]:
        return [r[0] for r in self._c.execute(
            "SELECT key_id FROM credentials WHERE revoked_at >= ?", (since,))]

    # operators and console sessions -------------------------------------------------
    def operator(self, username: str) -> tuple[Operator, str, float | None] | None:
        row = self._c.execute(
            "SELECT username, name, agency_id, password_hash, disabled_at, role FROM operators"
            " WHERE username = ?", (username,),
        ).fetchone()
        if row is None:
            return None
        return (Operator(username=row[0], name=row[1], agency=row[2], role=Role(row[5])),
                row[3], row[4])

    def operators(self) -> list[Operator]:
        rows = self._c.execute("SELECT username, name, agency_id, role FROM operators"
                               " ORDER BY agency_id, username")
        return [Operator(username=u, name=n, agency=a, role=Role(r)) for u, n, a, r in rows]

    def add_operator(self, operator: Operator, password_hash: str, at: float) -> None:
        self._c.execute(
            "INSERT INTO operators (username, agency_id, name, password_hash, created_at,"
            " role) VALUES (?, ?, ?, ?, ?, ?)",
            (operator.username, operator.agency, operator.name, password_hash, at,
             operator.role.value),
        )

    def set_password(self, username: str, password_hash: str) -> None:
        self._c.execute("UPDATE operators SET password_hash = ? WHERE username = ?",
                        (password_hash, username))

    def session(self, token_hash: str) -> Session | None:
        row = self._c.execute("SELECT body FROM sessions WHERE token_hash = ?",
                              (token_hash,)).fetchone()
        return _session(row[0]) if row else None

    def save_session(self, session: Session) -> None:
        self._c.execute(
            "INSERT INTO sessions (token_hash, username, body, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (token_hash) DO UPDATE SET username = excluded.username,"
            " body = excluded.body, expires_at = excluded.expires_at",
            (session.token_hash, session.username, _encode(session), session.expires_at),
        )

    def end_session(self, token_hash: str) -> None:
        self._c.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    def purge_sessions(self, now: float) -> int:
        return self._c.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount

    # messages (idempotency) ---------------------------------------------------------
    def message(self, sender: str, message_id: str) -> StoredMessage | None:
        row = self._c.execute(
            "SELECT body_hash, receipt FROM messages WHERE sender = ? AND message_id = ?",
            (sender, message_id),
        ).fetchone()
        return StoredMessage(body_hash=row[0], receipt=row[1]) if row else None

    def add_message(
        self, sender: str, message_id: str, body_hash: str, incident_id: str, kind: str,
        receipt: bytes, at: float,
    ) -> None:
        self._c.execute(
            "INSERT INTO messages (sender, message_id, incident_id, kind, body_hash, receipt,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sender, message_id, incident_id, kind, body_hash, receipt, at),
        )

    # incidents ----------------------------------------------------------------------
    def incident(self, incident_id: str) -> IncidentRecord | None:
        row = self._c.execute("SELECT body FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return _incident(row[0]) if row else None

    def incident_by_reference(self, sender: str, reference: str) -> IncidentRecord | None:
        row = self._c.execute(
            "SELECT body FROM incidents WHERE sender = ? AND reference = ?", (sender, reference)
        ).fetchone()
        return _incident(row[0]) if row else None

    def add_incident(self, record: IncidentRecord) -> None:
        self._c.execute(
            "INSERT INTO incidents (id, sender, reference, status, body, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (record.incident_id, record.sender, record.reference, record.status.value,
             _encode(record), record.created_at),
        )

    def save_incident(self, record: IncidentRecord) -> None:
        self._c.execute(
            "UPDATE incidents SET status = ?, body = ? WHERE id = ?",
            (record.status.value, _encode(record), record.incident_id),
        )

    # transfers ----------------------------------------------------------------------
    def transfer(self, transfer_id: str) -> Transfer | None:
        row = self._c.execute("SELECT body FROM transfers WHERE id = ?", (transfer_id,)).fetchone()
        return _transfer(row[0]) if row else None

    def transfers_of(self, incident_id: str) -> list[Transfer]:
        rows = self._c.execute(
            "SELECT body FROM transfers WHERE incident_id = ? ORDER BY recipient", (incident_id,)
        )
        return [_transfer(r[0]) for r in rows]

    def transfers_for(
        self, agency: str, role: str | None, state: str | None, limit: int
    ) -> list[Transfer]:
        parts, args = [], []
        if role in (None, "sent"):
            parts.append("SELECT body, submitted_at FROM transfers WHERE sender = ?"
                         + (" AND state = ?" if state else ""))
            args += [agency] + ([state] if state else [])
        if role in (None, "received"):
            parts.append("SELECT body, submitted_at FROM transfers WHERE recipient = ?"
                         + (" AND state = ?" if state else ""))
            args += [agency] + ([state] if state else [])
        sql = " UNION ALL ".join(parts) + " ORDER BY submitted_at DESC LIMIT ?"
        return [_transfer(r[0]) for r in self._c.execute(sql, (*args, limit))]

    def add_transfer(self, t: Transfer) -> None:
        self._c.execute(
            "INSERT INTO transfers (id, incident_id, sender, recipient, state, body,"
            " submitted_at, ack_due_at, decision_due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (t.transfer_id, t.incident_id, t.sender, t.recipient, t.state.value, _encode(t),
             t.submitted_at, *self._due(t)),
        )

    def save_transfer(self, t: Transfer) -> None:
        self._c.execute(
            "UPDATE transfers SET state = ?, body = ?, ack_due_at = ?, decision_due_at = ?"
            " WHERE id = ?",
            (t.state.value, _encode(t), *self._due(t), t.transfer_id),
        )

    @staticmethod
    def _due(t: Transfer) -> tuple[float | None, float | None]:
        """Index columns hold only deadlines still able to fire, so the scan stays small."""
        ack = t.ack_due_at if t.state is TransferState.STORED and t.ack_overdue_at is None else None
        decision = (
            t.decision_due_at
            if t.state is TransferState.DELIVERED and t.decision_overdue_at is None
            else None
        )
        return ack, decision

    def overdue_candidates(self, now: float, limit: int) -> list[Transfer]:
        rows = self._c.execute(
            "SELECT body FROM transfers WHERE ack_due_at <= ?1"
            " UNION SELECT body FROM transfers WHERE decision_due_at <= ?1 LIMIT ?2",
            (now, limit),
        )
        return [_transfer(r[0]) for r in rows]

    def transfers_since(self, since: float | None) -> list[Transfer]:
        rows = self._c.execute(
            "SELECT body FROM transfers WHERE submitted_at >= ?", (since or 0.0,)
        )
        return [_transfer(r[0]) for r in rows]

    # mailbox ------------------------------------------------------------------------
    def append(
        self, agency: str, kind: EntryKind, incident_id: str, transfer_id: str | None,
        body: bytes, at: float,
    ) -> Entry:
        # MAX on the primary key is an index probe; deriving seq here (not from a counter
        # in memory) keeps it right when a job or a whole batch rolls back.
        if self._cache:
            previous = self._seqs.get(agency)
            seq = (previous if previous is not None else self.last_seq(agency)) + 1
            self._undo.append((agency, previous))
            self._seqs[agency] = seq
        else:
            seq = self.last_seq(agency) + 1
        self._c.execute(
            "INSERT INTO mailbox (agency, seq, kind, incident_id, transfer_id, body, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (agency, seq, kind.value, incident_id, transfer_id, body, at),
        )
        entry = _entry((agency, seq, kind.value, incident_id, transfer_id, body, at))
        self.appended.append(entry)
        return entry

    def acknowledge(self, agency: str, seqs: Sequence[int], at: float) -> list[Entry]:
        """One statement per chunk of seqs; bodies are not read back (the caller needs
        only what each entry was about)."""
        acked = []
        unique = sorted(set(seqs))
        for i in range(0, len(unique), 500):
            chunk = unique[i:i + 500]
            rows = self._c.execute(
                "UPDATE mailbox SET acked_at = ? WHERE agency = ? AND acked_at IS NULL AND seq"
                f" IN ({','.join('?' * len(chunk))})"
                # The last but one column is JSON null, a placeholder for the unread body.
                " RETURNING agency, seq, kind, incident_id, transfer_id, ?, at",
                (at, agency, *chunk, b"null"),
            ).fetchall()
            acked.extend(_entry(r) for r in rows)
        acked.sort(key=lambda e: e.seq)
        return acked

    def backlog(self, agency: str, after: int, limit: int) -> list[Entry]:
        rows = self._c.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM mailbox WHERE agency = ?1 AND seq <= ?2"
            f" AND acked_at IS NULL UNION ALL SELECT {_ENTRY_COLUMNS} FROM mailbox"
            " WHERE agency = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            (agency, after, limit),
        )
        return [_entry(r) for r in rows]

    def entries(self, agency: str, after: int, limit: int) -> list[Entry]:
        rows = self._c.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM mailbox WHERE agency = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            (agency, after, limit),
        )
        return [_entry(r) for r in rows]

    def unacked(self, agency: str, after: int, upto: int, limit: int) -> list[Entry]:
        rows = self._c.execute(
            f"SELECT {_ENTRY_COLUMNS} FROM mailbox WHERE agency = ? AND seq > ?"
            " AND seq <= ? AND acked_at IS NULL ORDER BY seq LIMIT ?",
            (agency, after, upto, limit),
        )
        return [_entry(r) for r in rows]

    def last_seq(self, agency: str) -> int:
        (seq,) = self._c.execute(
            "SELECT COALESCE(MAX(seq), 0) FROM mailbox WHERE agency = ?", (agency,)
        ).fetchone()
        return seq

    def add_raw_message(self, raw: RawMessage, incident_id: str | None, at: float) -> None:
        self._c.execute(
            "INSERT INTO raw_messages (agency, format, media_type, body, incident_id,"
            " received_at, losses) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (raw.agency, raw.format, raw.media_type, raw.body, incident_id, at,
             _encode(raw.losses).decode() if raw.losses else None),  # text columns
        )

    def subscribers(self, source: str) -> list[str]:
        rows = self._c.execute("SELECT subscriber FROM alert_subscriptions WHERE source = ?"
                               " ORDER BY subscriber", (source,))
        return [r[0] for r in rows]

    def subscribe(self, subscriber: str, source: str) -> None:
        self._c.execute("INSERT INTO alert_subscriptions (source, subscriber) VALUES (?, ?)"
                        " ON CONFLICT DO NOTHING", (source, subscriber))

    # the cluster ----------------------------------------------------------------------
    def take_lease(self, name: str, holder: str, now: float, ttl_s: float) -> bool:
        """Take the lease, or renew it if `holder` has it; False while another holder's
        has not expired."""
        return self._c.execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4"
            " RETURNING holder", (name, holder, now + ttl_s, now)).fetchone() is not None

    # timeline -----------------------------------------------------------------------
    def add_event(
        self, incident_id: str, transfer_id: str | None, at: float, actor: str, kind: str,
        detail: dict | None = None,
    ) -> None:
        self._c.execute(
            "INSERT INTO events (incident_id, transfer_id, at, actor, kind, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (incident_id, transfer_id, at, actor, kind,
             _encode(detail).decode() if detail else None),  # a text column
        )

    def timeline(self, incident_id: str, transfer_id: str, after: int = 0,
                 limit: int = -1) -> list[tuple[int, TimelineEvent]]:
        rows = self._c.execute(
            "SELECT id, at, kind, actor, transfer_id, detail FROM events WHERE incident_id = ?"
            " AND (transfer_id IS NULL OR transfer_id = ?) AND id > ? ORDER BY id LIMIT ?",
            # -1 (all) as a bound every engine takes (PostgreSQL refuses a negative LIMIT)
            (incident_id, transfer_id, after, limit if limit >= 0 else _NO_LIMIT),
        )
        return [
            (id_, TimelineEvent(
                at=at, kind=kind, actor=actor, transfer_id=tid,
                detail=_detail(detail) if detail else {},
            ))
            for id_, at, kind, actor, tid, detail in rows
        ]
