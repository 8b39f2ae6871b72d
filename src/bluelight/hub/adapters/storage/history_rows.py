"""Repository rows for incidents' update histories (a mixin of SqliteRepository): one
row per update, read a page at a time, so neither the incident nor any answer grows
with the number of updates."""

from __future__ import annotations

from bluelight.hub.domain.incident import UpdateRecord

_COLUMNS = "version, at, sender, message_id, text"


def _record(row: tuple) -> UpdateRecord:
    version, at, sender, message_id, text = row
    return UpdateRecord(version=version, at=at, by=sender, message_id=message_id, text=text)


class HistoryRows:
    _c: object

    def add_update(self, incident_id: str, record: UpdateRecord) -> None:
        self._c.execute(
            "INSERT INTO incident_updates (incident_id, version, at, sender, message_id, text)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (incident_id, record.version, record.at, record.by, record.message_id,
             record.text))

    def update_count(self, incident_id: str) -> int:
        """Versions are 1, 2, 3... with no gaps, so the highest is the count (and an
        index probe, not a scan)."""
        (count,) = self._c.execute(
            "SELECT COALESCE(MAX(version), 0) FROM incident_updates WHERE incident_id = ?",
            (incident_id,)).fetchone()
        return count

    def updates(self, incident_id: str, after: int, limit: int) -> list[UpdateRecord]:
        rows = self._c.execute(
            f"SELECT {_COLUMNS} FROM incident_updates WHERE incident_id = ? AND version > ?"
            " ORDER BY version LIMIT ?", (incident_id, after, limit))
        return [_record(r) for r in rows]

    def latest_updates(self, incident_id: str, limit: int) -> list[UpdateRecord]:
        rows = self._c.execute(
            f"SELECT {_COLUMNS} FROM incident_updates WHERE incident_id = ?"
            " ORDER BY version DESC LIMIT ?", (incident_id, limit)).fetchall()
        return [_record(r) for r in reversed(rows)]

    def purge_updates(self, incident_id: str) -> int:
        """Remove every update's text (retention); who sent what when stays."""
        return self._c.execute(
            "UPDATE incident_updates SET text = NULL WHERE incident_id = ? AND text IS NOT NULL",
            (incident_id,)).rowcount
