"""Stored JSON is read back without the input limits (domain.stored): what the hub
accepted stays readable, whatever the limits are now."""

from __future__ import annotations

import msgspec
import pytest

from bluelight.hub.domain.incident import Incident, IncidentUpdate, Location
from bluelight.hub.domain.stored import stored
from bluelight.hub.domain.transfer import UpdateBody
from samples import incident as sample_incident

OVERGROWN = sample_incident(notes="n" * 25_000, hazards=["h" * 300] * 60,
                            location={"address": "a" * 900, "lat": 51.48, "lon": -3.18})
BODY = msgspec.json.encode({"sender": "uk.police.a", "reference": OVERGROWN["reference"],
                            "update": {"text": "t" * 12_000}, "incident": OVERGROWN})


def test_the_input_type_refuses_what_the_stored_type_reads():
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(BODY, type=UpdateBody)
    body = msgspec.json.decode(BODY, type=stored(UpdateBody))
    assert len(body.incident.notes) == 25_000 and len(body.update.text) == 12_000
    assert len(body.incident.hazards) == 60


def test_what_it_reads_is_still_the_domain_type_and_writes_the_same_json():
    body = msgspec.json.decode(BODY, type=stored(UpdateBody))
    assert isinstance(body, UpdateBody)
    assert isinstance(body.incident, Incident) and isinstance(body.incident.location, Location)
    again = msgspec.json.decode(msgspec.json.encode(body), type=stored(UpdateBody))
    assert again == body and len(again.incident.notes) == 25_000
    assert msgspec.structs.replace(body.incident, notes="").notes == ""


def test_only_the_limits_go_not_the_shape():
    with pytest.raises(msgspec.ValidationError):  # unknown fields are still refused
        msgspec.json.decode(b'{"text": "x", "colour": "blue"}', type=stored(IncidentUpdate))
    with pytest.raises(msgspec.ValidationError):  # so are wrong types and enum values
        msgspec.json.decode(msgspec.json.encode(OVERGROWN | {"type": "volcano"}),
                            type=stored(Incident))
    # Defaults are kept, a fresh list for each instance.
    bare = {k: v for k, v in sample_incident().items() if k != "casualties"}
    one, two = (msgspec.json.decode(msgspec.json.encode(bare), type=stored(Incident))
                for _ in range(2))
    assert one.casualties == [] and one.casualties is not two.casualties
    assert stored(Incident) is stored(Incident)  # one type per struct
