"""incident update history: one row per update; notes no longer accumulate

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 09:00:00

Before this revision every update appended its text to the incident's notes. After a
few dozen updates the notes passed their 10,000-character limit and the incident could
no longer be read (docs/decisions/0021-incident-update-history.md). This revision moves
the text of every update into `incident_updates` and gives the notes back what the
sender sent. The rule, per incident that has updates or notes over the limit:

1. Each logged `update` event (in the order logged) becomes update record 1, 2, 3...:
   its time, its sender, its message id and its text. The event keeps everything else
   and gains `version`; its text moves to the record. (An incident the retention purge
   already emptied keeps no text: its records have none.)
2. The notes were the sender's notes with each update's text appended on a new line. If
   peeling those texts off the end, last first, explains the notes exactly, the notes
   become what is left: the sender's own.
3. Otherwise the notes are left as they are, except that text beyond the first 10,000
   characters moves into further records (10,000 characters each, no message id, the
   time of the last update), so that nothing is lost and the incident is readable.
4. A mailbox entry (`incident.update`, or `incident.new`) whose copy of the incident has
   notes over the limit gets the incident's new notes (the texts are all in the records).

No text is deleted: concatenating the notes, a newline and the records' texts in order
gives back the old notes. The downgrade puts each text back into its event.
"""
import msgspec
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LIMIT = 10_000
# What the retention purge left in an update event's text (domain.sharing.WITHHELD_TEXT).
PURGED_TEXT = "Update [withheld: not covered by a data-sharing agreement]"

_records = sa.table(
    "incident_updates", sa.column("incident_id"), sa.column("version"), sa.column("at"),
    sa.column("sender"), sa.column("message_id"), sa.column("text"))


def upgrade() -> None:
    op.create_table('incident_updates',
    sa.Column('incident_id', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('sender', sa.String(length=120), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ),
    sa.PrimaryKeyConstraint('incident_id', 'version')
    )
    conn = op.get_bind()
    ids = conn.execute(sa.text(
        "SELECT DISTINCT incident_id FROM events WHERE kind = 'update'"
        " UNION SELECT id FROM incidents WHERE length(body) > :limit"), {"limit": LIMIT})
    for (incident_id,) in ids.fetchall():
        _move_history(conn, incident_id)


def _peel(notes: str, texts: list) -> str | None:
    """The notes before the updates were appended, or None if they do not end with them
    exactly as the hub appended them ("\\n" + text; just the text on empty notes)."""
    for text in reversed(texts):
        if text is None:
            return None
        if notes.endswith("\n" + text):
            notes = notes[:-len(text) - 1]
        elif notes == text:
            notes = ""
        else:
            return None
    return notes


def _move_history(conn, incident_id: str) -> None:
    row = conn.execute(sa.text(
        "SELECT sender, body, created_at, purged_at FROM incidents WHERE id = :id"),
        {"id": incident_id}).fetchone()
    if row is None:
        return
    sender, body, created_at, purged_at = row
    record = msgspec.json.decode(body)
    notes = record["incident"].get("notes", "")

    rows = []
    events = conn.execute(sa.text(
        "SELECT id, at, actor, detail FROM events WHERE incident_id = :id AND kind = 'update'"
        " ORDER BY id"), {"id": incident_id}).fetchall()
    for version, (event_id, at, actor, detail) in enumerate(events, 1):
        detail = msgspec.json.decode(detail) if detail else {}
        update = dict(detail.get("update") or {})
        text = update.pop("text", None)
        rows.append({"incident_id": incident_id, "version": version, "at": at,
                     "sender": actor, "message_id": detail.get("message_id"),
                     "text": None if purged_at is not None else text})
        conn.execute(sa.text("UPDATE events SET detail = :detail WHERE id = :id"),
                     {"id": event_id, "detail": msgspec.json.encode(
                         detail | {"update": update, "version": version})})

    kept = _peel(notes, [r["text"] for r in rows])
    if kept is None:
        kept = notes
    if len(kept) > LIMIT:
        rest, kept = kept[LIMIT:], kept[:LIMIT]
        at = rows[-1]["at"] if rows else created_at
        for start in range(0, len(rest), LIMIT):
            rows.append({"incident_id": incident_id, "version": len(rows) + 1, "at": at,
                         "sender": sender, "message_id": None,
                         "text": rest[start:start + LIMIT]})
    if rows:
        op.bulk_insert(_records, rows)
    if kept != notes:
        _set_notes(record["incident"], kept)
        conn.execute(sa.text("UPDATE incidents SET body = :body WHERE id = :id"),
                     {"id": incident_id, "body": msgspec.json.encode(record)})
    entries = conn.execute(sa.text(
        "SELECT agency, seq, body FROM mailbox WHERE incident_id = :id"
        " AND kind IN ('incident.update', 'incident.new')"), {"id": incident_id}).fetchall()
    for agency, seq, entry in entries:
        entry = msgspec.json.decode(entry)
        copy = entry.get("incident") or {}
        if len(copy.get("notes", "")) > LIMIT:
            _set_notes(copy, kept)
            conn.execute(sa.text(
                "UPDATE mailbox SET body = :body WHERE agency = :agency AND seq = :seq"),
                {"agency": agency, "seq": seq, "body": msgspec.json.encode(entry)})


def _set_notes(incident: dict, notes: str) -> None:
    # The hub writes with omit_defaults: empty notes are left out, not written as "".
    if notes:
        incident["notes"] = notes
    else:
        incident.pop("notes", None)


def downgrade() -> None:
    """Each update's text goes back into its event (the code before this revision reads
    it there); text split out of overlong notes goes back onto the notes. The notes are
    not re-accumulated: that is what made incidents unreadable."""
    conn = op.get_bind()
    records = conn.execute(sa.text(
        "SELECT incident_id, version, message_id, text FROM incident_updates"
        " ORDER BY incident_id, version")).fetchall()
    events: dict[str, list] = {}
    for incident_id, version, message_id, text in records:
        if message_id is None:  # split out of the notes: put it back on the end
            body = conn.execute(sa.text("SELECT body FROM incidents WHERE id = :id"),
                                {"id": incident_id}).scalar_one()
            record = msgspec.json.decode(body)
            _set_notes(record["incident"], record["incident"].get("notes", "") + (text or ""))
            conn.execute(sa.text("UPDATE incidents SET body = :body WHERE id = :id"),
                         {"id": incident_id, "body": msgspec.json.encode(record)})
            continue
        if incident_id not in events:
            events[incident_id] = conn.execute(sa.text(
                "SELECT id, detail FROM events WHERE incident_id = :id AND kind = 'update'"
                " ORDER BY id"), {"id": incident_id}).fetchall()
        logged = events[incident_id]
        if version > len(logged):
            continue
        event_id, detail = logged[version - 1]
        detail = msgspec.json.decode(detail) if detail else {}
        detail.pop("version", None)
        detail["update"] = {"text": text or PURGED_TEXT, **(detail.get("update") or {})}
        conn.execute(sa.text("UPDATE events SET detail = :detail WHERE id = :id"),
                     {"id": event_id, "detail": msgspec.json.encode(detail)})
    op.drop_table('incident_updates')
