"""Repository rows for the hash-chained audit log (a mixin of SqliteRepository).

Rows are only ever inserted. The chain itself (what is hashed, how it is checked) is
the domain's (`domain.audit`); this module only stores and reads rows."""

from __future__ import annotations

from collections.abc import Iterator

from bluelight.hub.domain.audit import AuditRecord

_COLUMNS = ("seq, at, actor, action, agency, counterparty, incident_id, transfer_id, detail,"
            " prev_hash, hash")


def _record(row: tuple) -> AuditRecord:
    seq, at, actor, action, agency, counterparty, incident_id, transfer_id, detail, prev, \
        hash_ = row
    return AuditRecord(seq=seq, at=at, actor=actor, action=action, agency=agency,
                       counterparty=counterparty, incident_id=incident_id, transfer_id=transfer_id, detail=detail,
                       prev_hash=prev, hash=hash_)


class AuditRows:
    _c: object
    _cache: bool
    # The writer remembers the head between records (one SELECT fewer per record);
    # SqliteRepository restores it when a job is rolled back and drops it on `forget`.
    _audit_head: tuple[int, str] | None = None

    def audit_head(self) -> tuple[int, str] | None:
        """The last record's seq and hash. Read inside the writer's transaction, so it
        sees records added earlier in the same batch (and a rolled-back job's vanish)."""
        if self._cache and self._audit_head is not None:
            return self._audit_head
        head = self._c.execute(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        if self._cache and head is not None:
            self._audit_head = tuple(head)
        return head

    def add_audit(self, record: AuditRecord) -> None:
        if self._cache:
            self._audit_head = (record.seq, record.hash)
        self._c.execute(
            f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (record.seq, record.at, record.actor, record.action, record.agency,
             record.counterparty,
             record.incident_id, record.transfer_id, record.detail, record.prev_hash,
             record.hash))

    def audit_records(self, *, incident_id: str | None = None, agency: str | None = None,
                      after: int = 0) -> Iterator[AuditRecord]:
        sql, args = f"SELECT {_COLUMNS} FROM audit_log WHERE seq > ?", [after]
        if incident_id is not None:
            sql += " AND incident_id = ?"
            args.append(incident_id)
        if agency is not None:
            # Its own actions, and what others did to data it sent or was sent.
            sql += " AND (agency = ? OR counterparty = ? OR actor = ? OR actor LIKE ?)"
            args += [agency, agency, agency, f"{agency}/%"]
        for row in self._c.execute(sql + " ORDER BY seq", args):
            yield _record(row)
