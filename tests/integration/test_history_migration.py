"""Migration 0006: incidents whose notes grew past their limit under the old rule (each
update appended its text to the notes) become readable again, and no text is lost.

The old-style rows are written into a database at revision 0005 exactly as the hub then
wrote them: the update event with the whole command, each recipient's update entry with
the incident as it then stood, the incident with every text appended. Then the database
is upgraded and a real hub is started on it.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import msgspec
import pytest
from alembic import command
from test_audit_and_retention import cli

from bluelight.hub.adapters.storage import migrate
from bluelight.hub.adapters.storage.sqlite_store import transaction
from bluelight.hub.domain.agency import Agency, MessageFormat, Service
from bluelight.hub.domain.incident import (
    Incident,
    IncidentType,
    IncidentUpdate,
    Location,
    Priority,
)
from bluelight.hub.domain.sharing import AgreementTerms, DataClass
from bluelight.hub.domain.transfer import (
    AgreementRef,
    EntryKind,
    IncidentStatus,
    OfferBody,
    Transfer,
    TransferState,
    UpdateBody,
)
from bluelight.hub.services import directory, sharing
from bluelight.hub.services.ports import IncidentRecord
from hubprocess import HubProcess

_encode = msgspec.json.Encoder().encode
POLICE, FIRE = "uk.police.old", "uk.fire.old"
OVERGROWN_NOTES = ("Caller reports smoke from the engine bay; two vehicles involved. "
                   * 200)[:9_990]
OVERGROWN_TEXTS = [(f"Update {n:02d}: " + "inner cordon holding, casualties moved. " * 15)[:490]
                   for n in range(1, 26)]
NORMAL_TEXTS = ["Fire service on scene", "Second casualty found", "Road closed both ways"]
UNEXPLAINED = "".join(f"Log line {n}: sector report as given by the caller.\n"
                      for n in range(600))[:25_000]


def old_incident(reference: str, notes: str, texts: list[str], at: float):
    """A job writing one incident, sent by the police to the fire service, and its
    updates, as the hub wrote them before revision 0006."""

    def job(repo) -> tuple[str, str]:
        incident = Incident(reference=reference, type=IncidentType.FIRE,
                            priority=Priority.URGENT, summary="Vehicle fire",
                            location=Location(lat=51.48, lon=-3.18, address="Castle St"),
                            created_at=datetime.fromtimestamp(at, UTC), notes=notes)
        incident_id, transfer_id = f"inc_{reference}", f"tr_{reference}"
        record = IncidentRecord(incident_id=incident_id, sender=POLICE, reference=reference,
                                status=IncidentStatus.OPEN, incident=incident, created_at=at)
        repo.add_incident(record)
        repo.add_transfer(Transfer(
            transfer_id=transfer_id, incident_id=incident_id, reference=reference,
            sender=POLICE, recipient=FIRE, state=TransferState.STORED,
            incident_status=IncidentStatus.OPEN, submitted_at=at, stored_at=at,
            agreement=AgreementRef(id="isa-old", version=1)))
        repo.append(FIRE, EntryKind.INCIDENT_NEW, incident_id, transfer_id,
                    _encode(OfferBody(sender=POLICE, sender_name="Police",
                                      incident=incident)), at)
        for n, text in enumerate(texts, 1):
            # What apply_update did before revision 0006: append, with no length check.
            incident = msgspec.structs.replace(
                incident, notes=f"{incident.notes}\n{text}" if incident.notes else text)
            repo.add_event(incident_id, None, at + n, POLICE, "update",
                           {"message_id": str(uuid.uuid4()), "update": {"text": text}})
            repo.append(FIRE, EntryKind.INCIDENT_UPDATE, incident_id, transfer_id,
                        _encode(UpdateBody(sender=POLICE, reference=reference,
                                           update=IncidentUpdate(text=text),
                                           incident=incident)), at + n)
        record.incident = incident
        repo.save_incident(record)
        return incident_id, transfer_id

    return job


def stored_notes(db, incident_id: str) -> str:
    conn = sqlite3.connect(db)
    (body,) = conn.execute("SELECT body FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    conn.close()
    # Strict: the input limits apply, as they did on every read before.
    return msgspec.json.decode(body, type=IncidentRecord).incident.notes


@pytest.fixture
def old_db(tmp_path):
    """A database at revision 0005 holding three old-style incidents."""
    db = tmp_path / "hub.sqlite"
    command.upgrade(migrate.alembic_config(migrate.sqlite_url(db)), "0005")
    tokens = {}
    for agency_id, service, fmt in ((POLICE, Service.POLICE, MessageFormat.BLUELIGHT),
                                    (FIRE, Service.FIRE, MessageFormat.MAIT_XML)):
        token, job = directory.register(Agency(id=agency_id, name=agency_id, service=service,
                                               phone="01443 232000", format=fmt), time.time())
        transaction(db, job)
        tokens[agency_id] = token
    transaction(db, sharing.add("isa-old", AgreementTerms(
        parties=[POLICE, FIRE], purpose="Emergency response", data_classes=list(DataClass),
        lawful_basis="UK GDPR Art. 6(1)(e) public task", retention_days=365,
        review_date=date.today() + timedelta(days=365)), "cli:test", time.time()))
    at = time.time() - 3600
    ids = {
        "overgrown": transaction(db, old_incident("OLD-1", OVERGROWN_NOTES, OVERGROWN_TEXTS,
                                                  at)),
        "normal": transaction(db, old_incident("OLD-2", "Caller reports smoke.",
                                               NORMAL_TEXTS, at)),
        # Notes over the limit that no logged update explains (say, from a hub older
        # than the event log): they cannot be peeled, so the excess is split off.
        "unexplained": transaction(db, old_incident("OLD-3", UNEXPLAINED, [], at)),
    }
    return tmp_path, db, tokens, ids


def test_an_overgrown_incident_becomes_readable_with_no_text_lost(old_db):
    data_dir, db, tokens, ids = old_db
    old_notes = "\n".join([OVERGROWN_NOTES, *OVERGROWN_TEXTS])
    with pytest.raises(msgspec.ValidationError):  # the bug: unreadable before
        stored_notes(db, ids["overgrown"][0])

    migrate.upgrade(db)

    assert stored_notes(db, ids["overgrown"][0]) == OVERGROWN_NOTES
    assert stored_notes(db, ids["normal"][0]) == "Caller reports smoke."
    assert stored_notes(db, ids["unexplained"][0]) == UNEXPLAINED[:10_000]

    hub = HubProcess(data_dir).start()
    try:
        police = httpx.Client(base_url=hub.url, timeout=30,
                              headers={"Authorization": f"Bearer {tokens[POLICE]}"})
        fire = httpx.Client(base_url=hub.url, timeout=30,
                            headers={"Authorization": f"Bearer {tokens[FIRE]}"})
        with police, fire:
            def history(tid: str) -> list[dict]:
                r = fire.get(f"/v1/transfers/{tid}/updates", params={"limit": 500})
                assert r.status_code == 200, r.text
                return r.json()["updates"]

            tid = ids["overgrown"][1]
            for c in (police, fire):  # readable, both sides
                r = c.get(f"/v1/transfers/{tid}")
                assert r.status_code == 200, r.text
                assert r.json()["incident"]["notes"] == OVERGROWN_NOTES
                assert r.json()["updates"]["count"] == len(OVERGROWN_TEXTS)
            records = history(tid)
            assert [u["text"] for u in records] == OVERGROWN_TEXTS
            assert [u["version"] for u in records] == list(range(1, 26))
            assert all(u["message_id"] and u["by"] == POLICE for u in records)
            # The documented rule: notes, a newline and the texts give the old notes.
            assert "\n".join([OVERGROWN_NOTES, *(u["text"] for u in records)]) == old_notes

            events = fire.get(f"/v1/transfers/{tid}/timeline").json()["events"]
            logged = [e for e in events if e["kind"] == "update"]
            assert [e["detail"]["version"] for e in logged] == list(range(1, 26))
            assert all("text" not in e["detail"]["update"] for e in logged)

            # The recipient polls in MAIT XML: every old entry is written, none fails.
            r = fire.get("/v1/inbox", params={"after": 0, "limit": 1000})
            assert r.status_code == 200, r.text
            entries = r.json()["entries"]
            assert len(entries) == 3 + len(OVERGROWN_TEXTS) + len(NORMAL_TEXTS)
            for entry in entries:
                assert "error" not in entry["rendered"], entry["rendered"]

            # Life goes on: the next update is version 26, and closing works.
            r = police.post("/v1/incidents/OLD-1/updates", json={
                "message_id": str(uuid.uuid4()), "update": {"text": "Stood down"}})
            assert r.status_code == 201, r.text
            assert [u["version"] for u in history(tid)][-1] == 26
            r = police.post("/v1/incidents/OLD-1/closure", json={
                "message_id": str(uuid.uuid4()), "closure": {"outcome": "Scene cleared"}})
            assert r.status_code == 201, r.text

            assert [u["text"] for u in history(ids["normal"][1])] == NORMAL_TEXTS

            split = history(ids["unexplained"][1])
            assert all("message_id" not in u for u in split)
            assert all(len(u["text"]) <= 10_000 for u in split)
            notes = fire.get(f"/v1/transfers/{ids['unexplained'][1]}").json()["incident"]
            assert notes["notes"] + "".join(u["text"] for u in split) == UNEXPLAINED
    finally:
        hub.stop()

    later = (date.today() + timedelta(days=400)).isoformat()
    out = cli(data_dir, "retention", "run", f"--now={later}", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["purged"] == 3


def test_the_downgrade_puts_every_text_back_into_its_event(old_db):
    data_dir, db, _, ids = old_db
    cfg = migrate.alembic_config(migrate.sqlite_url(db))
    migrate.upgrade(db)
    command.downgrade(cfg, "0005")
    conn = sqlite3.connect(db)
    details = [json.loads(d) for (d,) in conn.execute(
        "SELECT detail FROM events WHERE incident_id = ? AND kind = 'update' ORDER BY id",
        (ids["overgrown"][0],))]
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert [d["update"]["text"] for d in details] == OVERGROWN_TEXTS
    assert all("version" not in d for d in details)
    assert "incident_updates" not in tables
    conn = sqlite3.connect(db)
    (body,) = conn.execute("SELECT body FROM incidents WHERE id = ?",
                           (ids["unexplained"][0],)).fetchone()
    conn.close()
    assert json.loads(body)["incident"]["notes"] == UNEXPLAINED  # split text is back
