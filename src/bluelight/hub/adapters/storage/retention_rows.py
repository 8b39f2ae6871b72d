"""Repository rows for the retention purge (a mixin of SqliteRepository): find the
incidents due, and rewrite every stored copy of their personal data."""

from __future__ import annotations

from collections.abc import Callable


class RetentionRows:
    _c: object

    def retention_candidates(self, created_before: float) -> list[tuple[str, float]]:
        """(id, created at) of the incidents not yet purged created before the cut-off."""
        return self._c.execute(
            "SELECT id, created_at FROM incidents WHERE purged_at IS NULL AND created_at <= ?"
            " ORDER BY created_at", (created_before,)).fetchall()

    def mark_purged(self, incident_id: str, at: float) -> None:
        self._c.execute("UPDATE incidents SET purged_at = ? WHERE id = ?", (at, incident_id))

    def rewrite_mailbox(self, incident_id: str,
                        rewrite: Callable[[str, bytes], bytes | None]) -> int:
        """Replace each entry's body by `rewrite(kind, body)` (None: leave it)."""
        rows = self._c.execute("SELECT agency, seq, kind, body FROM mailbox"
                               " WHERE incident_id = ?", (incident_id,)).fetchall()
        changed = 0
        for agency, seq, kind, body in rows:
            new = rewrite(kind, body)
            if new is not None and new != body:
                self._c.execute("UPDATE mailbox SET body = ? WHERE agency = ? AND seq = ?",
                                (new, agency, seq))
                changed += 1
        return changed

    def rewrite_events(self, incident_id: str,
                       rewrite: Callable[[str, bytes], bytes | None]) -> int:
        rows = self._c.execute("SELECT id, kind, detail FROM events WHERE incident_id = ?"
                               " AND detail IS NOT NULL", (incident_id,)).fetchall()
        changed = 0
        for id_, kind, detail in rows:
            raw = detail.encode() if isinstance(detail, str) else detail
            new = rewrite(kind, raw)
            if new is not None and new != raw:
                self._c.execute("UPDATE events SET detail = ? WHERE id = ?",
                                (new.decode(), id_))  # a text column on every engine
                changed += 1
        return changed

    def clear_originals(self, incident_id: str) -> int:
        """Empty the messages kept exactly as received (other standards) and the signed
        payloads: both hold the personal data verbatim. What remains (format, losses,
        the signature itself) still shows that the message existed and who signed it."""
        n = self._c.execute("UPDATE raw_messages SET body = ? WHERE incident_id = ?"
                            " AND length(body) > 0", (b"", incident_id)).rowcount
        n += self._c.execute("UPDATE signatures SET payload = ? WHERE incident_id = ?"
                             " AND length(payload) > 0", (b"", incident_id)).rowcount
        return n
