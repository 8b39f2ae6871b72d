"""Repository rows for data-sharing agreements (a mixin of SqliteRepository).

Agreements are read on every send, so the writer keeps the versions in force in memory;
`forget` (another connection committed, e.g. `bluelight agreement add`) drops them."""

from __future__ import annotations

import msgspec

from bluelight.hub.domain.sharing import Agreement

_encode = msgspec.json.Encoder().encode
_agreement = msgspec.json.Decoder(Agreement).decode


class AgreementRows:
    _c: object
    _cache: bool
    _in_force: list[Agreement] | None = None

    def agreements_in_force(self) -> list[Agreement]:
        """The newest version of each agreement not withdrawn."""
        if self._cache and self._in_force is not None:
            return self._in_force
        rows = self._c.execute(
            "SELECT a.body, a.withdrawn_at FROM agreements a WHERE a.version = "
            "(SELECT MAX(version) FROM agreements b WHERE b.id = a.id) "
            "AND a.withdrawn_at IS NULL ORDER BY a.id").fetchall()
        found = [_agreement(body) for body, _ in rows]
        if self._cache:
            self._in_force = found
        return found

    def agreement_versions(self, agreement_id: str | None = None) -> list[Agreement]:
        """Every version (newest first), of one agreement or of all."""
        sql = "SELECT body, withdrawn_at FROM agreements"
        args: tuple = ()
        if agreement_id is not None:
            sql += " WHERE id = ?"
            args = (agreement_id,)
        rows = self._c.execute(sql + " ORDER BY id, version DESC", args).fetchall()
        return [msgspec.structs.replace(_agreement(body), withdrawn_at=withdrawn)
                for body, withdrawn in rows]

    def agreement(self, agreement_id: str, version: int) -> Agreement | None:
        row = self._c.execute(
            "SELECT body, withdrawn_at FROM agreements WHERE id = ? AND version = ?",
            (agreement_id, version)).fetchone()
        if row is None:
            return None
        return msgspec.structs.replace(_agreement(row[0]), withdrawn_at=row[1])

    def add_agreement(self, agreement: Agreement) -> None:
        self._in_force = None
        self._c.execute(
            "INSERT INTO agreements (id, version, body, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?)",
            (agreement.id, agreement.version, _encode(agreement), agreement.created_at,
             agreement.created_by))

    def withdraw_agreement(self, agreement_id: str, at: float) -> int:
        self._in_force = None
        return self._c.execute(
            "UPDATE agreements SET withdrawn_at = ? WHERE id = ? AND withdrawn_at IS NULL",
            (at, agreement_id)).rowcount
