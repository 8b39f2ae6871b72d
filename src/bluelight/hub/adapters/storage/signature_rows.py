"""Signing keys and kept signatures, for SqliteRepository (which inherits this mixin).
Hand-written SQL against the `signing_keys` and `signatures` tables of `schema.py`."""

from __future__ import annotations

import sqlite3

from bluelight.hub.domain.signature import Algorithm, SignatureRecord, SignedKind, SigningKey

_KEY_COLUMNS = "key_id, agency_id, algorithm, public_key, created_at, revoked_at"
_SIGNATURE_COLUMNS = ("agency, kind, message_id, incident_id, transfer_id, key_id, jws,"
                      " payload, signed_at, received_at")


def _key(row: tuple) -> SigningKey:
    key_id, agency, algorithm, public_key, created_at, revoked_at = row
    return SigningKey(key_id=key_id, agency=agency, algorithm=Algorithm(algorithm),
                      public_key=public_key, created_at=created_at, revoked_at=revoked_at)


def _signature(row: tuple) -> SignatureRecord:
    (agency, kind, message_id, incident_id, transfer_id, key_id, jws, payload, signed_at,
     received_at) = row
    return SignatureRecord(agency=agency, kind=SignedKind(kind), message_id=message_id,
                           incident_id=incident_id, transfer_id=transfer_id, key_id=key_id,
                           jws=jws, payload=payload, signed_at=signed_at,
                           received_at=received_at)


class SignatureRows:
    _c: sqlite3.Connection
    _cache: bool
    # The writer's cache of "has this agency an active signing key?", asked by every
    # unsigned message's job. Dropped with the other caches (`forget`), and here when
    # this writer adds or revokes a key; on PostgreSQL a change by another node moves
    # the directory epoch (migration 0008).
    _signers: dict[str, bool]

    # signing keys -------------------------------------------------------------------
    def signing_key(self, key_id: str) -> SigningKey | None:
        row = self._c.execute(f"SELECT {_KEY_COLUMNS} FROM signing_keys WHERE key_id = ?",
                              (key_id,)).fetchone()
        return _key(row) if row else None

    def signing_keys_of(self, agency_id: str) -> list[SigningKey]:
        rows = self._c.execute(f"SELECT {_KEY_COLUMNS} FROM signing_keys WHERE agency_id = ?"
                               " ORDER BY created_at, key_id", (agency_id,))
        return [_key(r) for r in rows]

    def has_active_signing_key(self, agency_id: str) -> bool:
        if self._cache and agency_id in self._signers:
            return self._signers[agency_id]
        found = self._c.execute(
            "SELECT 1 FROM signing_keys WHERE agency_id = ? AND revoked_at IS NULL LIMIT 1",
            (agency_id,)).fetchone() is not None
        if self._cache:
            self._signers[agency_id] = found
        return found

    def add_signing_key(self, key: SigningKey) -> None:
        self._signers.clear()
        self._c.execute(
            f"INSERT INTO signing_keys ({_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (key.key_id, key.agency, key.algorithm.value, key.public_key, key.created_at,
             key.revoked_at))

    def revoke_signing_key(self, key_id: str, at: float) -> bool:
        self._signers.clear()
        return self._c.execute(
            "UPDATE signing_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
            (at, key_id)).rowcount == 1

    # signatures ---------------------------------------------------------------------
    def add_signature(self, record: SignatureRecord) -> None:
        r = record
        self._c.execute(
            f"INSERT INTO signatures ({_SIGNATURE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (r.agency, r.kind.value, r.message_id, r.incident_id, r.transfer_id, r.key_id,
             r.jws, r.payload, r.signed_at, r.received_at))

    def signatures_of(self, incident_id: str, transfer_id: str | None = None
                      ) -> list[SignatureRecord]:
        """The signatures over an incident's messages, in the order received. With
        `transfer_id`, those about other transfers of it (another recipient's decision)
        are left out."""
        rows = self._c.execute(
            f"SELECT {_SIGNATURE_COLUMNS} FROM signatures WHERE incident_id = ?1"
            " AND (CAST(?2 AS VARCHAR) IS NULL OR transfer_id IS NULL OR transfer_id = ?2)"
            " ORDER BY id",
            (incident_id, transfer_id))
        return [_signature(r) for r in rows]
