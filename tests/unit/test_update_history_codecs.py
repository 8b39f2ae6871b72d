"""An export's update history in each standard: carried where the standard has a place
for it (MAIT XML's History, one EIDO note per update), listed as lost where it has not
(CAP, EDXL-DE, a bluelight submission); never truncated silently, nothing invented."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import msgspec
import pytest
from lxml import etree

from bluelight.hub.adapters.codecs import bluelight_json, cap, edxl_de, eido, mait_xml
from bluelight.hub.adapters.codecs.base import Native
from bluelight.hub.domain.incident import Incident, IncidentUpdate, UpdateRecord
from samples import incident as sample_incident

SENDER = "uk.police.south-wales"
AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()
RECORDS = [
    UpdateRecord(version=1, at=AT, by=SENDER, message_id="7d1c0e4e-1a5c-4f7e-9d58-2c1b3a9e0f11",
                 text="Fire service on scene"),
    UpdateRecord(version=2, at=AT + 90.5, by=SENDER,
                 message_id="0b7e5a0c-3f52-4a4e-8d0b-5f8f2b6f1c22"),  # text withheld
    UpdateRecord(version=3, at=AT + 300, by=SENDER, text="Split out of old notes"),
]


def export(**changes) -> Native:
    incident = msgspec.convert(sample_incident(reference="SWP-1") | {
        "location": {"lat": 51.48, "lon": -3.18, "address": "Castle Street"}}, Incident)
    return Native(kind="incident", sender=SENDER, recipients=["uk.fire.south-wales"],
                  reference="SWP-1", incident=incident, updates=RECORDS,
                  sent_at=datetime(2026, 11, 23, 10, 0, tzinfo=UTC)) if not changes else \
        msgspec.structs.replace(export(), **changes)


def test_mait_xml_carries_the_history_and_validates():
    translation = mait_xml.encode(export())
    assert translation.losses == []
    root = etree.fromstring(translation.data)
    mait_xml.schema().validate(root)
    m = "{urn:bluelight:mait:1.0}"
    entries = root.findall(f"{m}History/{m}Entry")
    assert [e.findtext(f"{m}Version") for e in entries] == ["1", "2", "3"]
    assert [e.findtext(f"{m}Text") for e in entries] == [
        "Fire service on scene", None, "Split out of old notes"]
    assert entries[1].findtext(f"{m}At") == "2026-11-23T09:01:30.500000+00:00"
    assert entries[2].find(f"{m}MessageID") is None  # none recorded: none written
    # Read back, a History has no place in a new incident: it is said to be lost.
    back = mait_xml.decode(translation.data)
    assert back.losses == ["updates"] and back.native.updates == []


def test_eido_writes_one_note_per_update_at_its_own_time():
    translation = eido.encode(export())
    document = json.loads(translation.data)
    notes = {n["$id"]: n for n in document["notesComponent"]}
    linked = [notes[ref["$ref"]] for ref in document["incidentComponent"]["notesReference"]]
    texts = [eido.html_to_text(n["notesActionComments"]) for n in linked]
    assert texts[2:] == ["Fire service on scene", "Split out of old notes"]  # after summary, notes
    assert [n["lastUpdateTimeStamp"] for n in linked[2:]] == [
        "2026-11-23T09:00:00Z", "2026-11-23T09:05:00Z"]
    # Message ids have no home in an EIDO note.
    assert "updates.message_id" in translation.losses


def test_an_update_is_written_as_an_eido_of_the_incident_as_it_stands():
    native = export(kind="update", updates=[], message_id="ack:uk.fire.x/7",
                    update=IncidentUpdate(text="Casualty freed"))
    document = json.loads(eido.encode(native).data)
    texts = [eido.html_to_text(n["notesActionComments"]) for n in document["notesComponent"]]
    assert texts[-1] == "Casualty freed"
    assert document["incidentComponent"]["internalIncidentId"] == "SWP-1"
    with pytest.raises(eido.CodecError):  # without the incident there is nothing to write
        eido.encode(export(kind="update", incident=None, update=IncidentUpdate(text="x")))


@pytest.mark.parametrize("encode", [cap.encode, edxl_de.encode, bluelight_json.encode])
def test_a_standard_with_no_place_for_the_history_lists_it_as_lost(encode):
    assert "updates" in encode(export()).losses
    assert "updates" not in encode(export(updates=[])).losses
