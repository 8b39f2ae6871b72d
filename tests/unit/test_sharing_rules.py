"""The rules of data-sharing agreements, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelight.hub.domain.incident import Incident, IncidentUpdate, UpdateRecord
from bluelight.hub.domain.sharing import (
    INCIDENT_FIELDS,
    OPERATIONAL_FIELDS,
    UPDATE_FIELDS,
    UPDATE_OPERATIONAL_FIELDS,
    Agreement,
    DataClass,
    governing,
    redact,
    redact_event,
    redact_records,
    redact_update,
)
from bluelight.hub.domain.transfer import TimelineEvent
from strategies import incidents


def test_every_incident_field_is_classified_so_none_can_flow_unnoticed():
    fields = set(Incident.__struct_fields__)
    assert set(INCIDENT_FIELDS) | OPERATIONAL_FIELDS == fields
    assert not set(INCIDENT_FIELDS) & OPERATIONAL_FIELDS
    assert set(UPDATE_FIELDS) | UPDATE_OPERATIONAL_FIELDS == set(
        IncidentUpdate.__struct_fields__)


def _agreement(id_: str, parties: list[str], created_at: float,
               withdrawn: float | None = None) -> Agreement:
    return Agreement(id=id_, version=1, parties=parties, purpose="p",
                     data_classes=[DataClass.CALLER], lawful_basis="b",
                     review_date=date(2027, 1, 1), retention_days=30, created_at=created_at,
                     created_by="t", withdrawn_at=withdrawn)


def test_the_most_specific_agreement_in_force_governs_a_pair():
    region = _agreement("region", ["a", "b", "c"], 1)
    pair = _agreement("pair", ["a", "b"], 0)
    newer_region = _agreement("region-2", ["a", "b", "d"], 2)
    assert governing([region, pair], "a", "b") is pair
    assert governing([region, pair], "a", "c") is region
    assert governing([region, newer_region], "a", "b") is newer_region  # tie: newest
    assert governing([region, pair], "c", "d") is None
    assert governing([_agreement("gone", ["a", "b"], 5, withdrawn=6), region],
                     "a", "b") is region


@settings(max_examples=2000, deadline=None)  # pure and fast; no per-example time limit
@given(incidents(), st.sets(st.sampled_from(DataClass)))
def test_redaction_keeps_the_operational_minimum_and_only_allowed_classes(incident, allowed):
    shared, withheld = redact(incident, frozenset(allowed))
    for name in OPERATIONAL_FIELDS:
        assert getattr(shared, name) == getattr(incident, name)
    for name, cls in INCIDENT_FIELDS.items():
        if cls in allowed:
            assert getattr(shared, name) == getattr(incident, name)
        elif name != "summary":
            assert getattr(shared, name) in (None, [], "")
    # What was withheld is listed, and only what had a value.
    expected = {f"incident.{n}" for n, c in INCIDENT_FIELDS.items()
                if c not in allowed and getattr(incident, n) not in (None, [], "")}
    assert set(withheld) == expected
    msgspec.json.decode(msgspec.json.encode(shared), type=Incident)  # still valid


def test_a_withheld_update_keeps_its_operational_changes():
    update = IncidentUpdate(text="patient has a knife", priority="emergency",
                            hazards=["weapon"], summary="now armed")
    shared, withheld = redact_update(update, frozenset())
    assert shared.priority == "emergency" and shared.hazards == ["weapon"]
    assert "knife" not in shared.text and shared.summary is None
    assert set(withheld) == {"update.text", "update.summary"}


def test_a_withheld_summary_is_replaced_by_the_type_and_a_notice():
    incident = msgspec.convert({"reference": "R", "type": "fire", "priority": "urgent",
                                "summary": "Mrs Jones, 84, lives alone",
                                "location": {"lat": 51.5, "lon": -3.2},
                                "created_at": datetime(2026, 1, 1, tzinfo=UTC)}, Incident)
    shared, withheld = redact(incident, frozenset())
    assert withheld == ["incident.summary"]
    assert shared.summary.startswith("Fire [withheld") and "Jones" not in shared.summary
    assert redact(incident, frozenset(DataClass)) == (incident, [])


def test_update_texts_in_the_history_are_situation_data():
    records = [UpdateRecord(version=1, at=1.0, by="uk.police.a", message_id="m1",
                            text="Patient now unconscious")]
    shown, withheld = redact_records(records, frozenset({DataClass.MEDICAL}))
    assert withheld == ["update.text"]
    assert shown[0].text is None and (shown[0].version, shown[0].by) == (1, "uk.police.a")
    assert redact_records(records, frozenset({DataClass.SITUATION})) == (records, [])
    assert records[0].text == "Patient now unconscious"  # the stored record is untouched


def test_an_update_event_is_redacted_with_or_without_its_text():
    # Logged now: no text (it is in the history), the version and what was replaced.
    new = TimelineEvent(at=1.0, kind="update", actor="uk.police.a", detail={
        "message_id": "m1", "version": 3,
        "update": {"priority": "emergency", "summary": "Casualty trapped"}})
    shown = redact_event(new, frozenset())
    assert shown.detail == {"message_id": "m1", "version": 3,
                            "update": {"priority": "emergency"},
                            "withheld": ["update.summary"]}
    # Logged before migration 0006 moved the texts out: the text is withheld as before.
    old = TimelineEvent(at=1.0, kind="update", actor="uk.police.a", detail={
        "message_id": "m0", "update": {"text": "Casualty trapped", "priority": "urgent"}})
    shown = redact_event(old, frozenset())
    assert shown.detail["update"] == {"priority": "urgent",
                                      "text": "Update [withheld: not covered by a "
                                              "data-sharing agreement]"}
    assert shown.detail["withheld"] == ["update.text"]
    assert redact_event(old, frozenset({DataClass.SITUATION})) is old
