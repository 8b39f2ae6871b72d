"""EIDO codec: whatever EIDO can carry survives encode -> decode, and exactly the native
fields it cannot carry are reported as losses.

The official schema (../shared/conformance) is used when present, so that every encoded
example is also validated against it; without it the property still runs."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelight.hub.adapters.codecs import eido
from bluelight.hub.adapters.codecs.base import Native
from bluelight.hub.domain.incident import Incident, IncidentType, Location, Priority
from shared_data import CONFORMANCE
from strategies import (
    REFERENCE_PATTERN,
    agency_ids,
    aware_datetimes,
    incidents,
    special_losses,
)

SCHEMA_DIR = CONFORMANCE / "nena-eido" / "schema"
SCHEMA = SCHEMA_DIR if (SCHEMA_DIR / "openapi.yaml").is_file() else None

NOT_CARRIED_LOCATION = ("uprn", "easting", "northing")
NOT_CARRIED_INCIDENT = ("casualties", "resources_requested", "methane")


@st.composite
def natives(draw: st.DrawFn) -> Native:
    incident = draw(incidents())
    return Native(
        kind="incident",
        message_id=draw(st.none() | st.builds(lambda: str(uuid.uuid4()))),
        sender=draw(agency_ids),
        recipients=draw(st.lists(agency_ids, max_size=2)),
        sent_at=draw(st.none() | aware_datetimes),
        reference=incident.reference,
        incident=incident,
    )


def instant(value: datetime | None) -> datetime | None:
    """The same instant in UTC. (Aware datetimes in different zones compare unequal when
    one falls in a DST fold, PEP 495, though they name the same instant.)"""
    return value.astimezone(UTC) if value is not None else None


def expected_losses(native: Native) -> set[str]:
    incident = native.incident
    assert incident is not None
    losses = {f"incident.location.{name}" for name in NOT_CARRIED_LOCATION
              if getattr(incident.location, name) is not None}
    losses |= {f"incident.{name}" for name in NOT_CARRIED_INCIDENT if getattr(incident, name)}
    if native.recipients:
        losses.add("recipients")
    if native.message_id:
        losses.add("message_id")
    return losses | special_losses(incident)


@settings(max_examples=200, deadline=None)
@given(natives())
def test_encode_decode_keeps_what_eido_carries(native: Native) -> None:
    encoded = eido.encode(native, schema_dir=SCHEMA)  # validates against the schema too
    assert encoded.media_type == "application/json"
    assert len(encoded.losses) == len(set(encoded.losses))
    assert set(encoded.losses) == expected_losses(native)

    decoded = eido.decode(encoded.data, schema_dir=SCHEMA)
    assert decoded.losses == []  # nothing the encoder writes is left unread
    back, original = decoded.native, native.incident
    assert back is not None and back.incident is not None and original is not None
    got = back.incident

    assert back.kind == "incident"
    assert back.sender == native.sender
    assert back.reference == original.reference
    assert instant(back.sent_at) == instant(native.sent_at or original.created_at)
    assert back.message_id and back.message_id.startswith(eido.INCIDENT_ID_PREFIX)

    assert got.reference == original.reference
    assert got.type == original.type
    assert got.priority == original.priority
    assert got.summary == original.summary
    assert got.notes == original.notes
    assert instant(got.created_at) == instant(original.created_at)
    assert got.hazards == original.hazards
    assert got.caller == original.caller

    loc, want = got.location, original.location
    assert (loc.address, loc.lat, loc.lon, loc.description) == (
        want.address, want.lat, want.lon, want.description)
    # Not carried: listed in the losses above, and absent (default) after the trip.
    for name in NOT_CARRIED_LOCATION:
        assert getattr(loc, name) is None
    assert (got.casualties, got.resources_requested, got.methane) == ([], [], None)


@settings(max_examples=50, deadline=None)
@given(natives())
def test_re_encoding_a_decoded_eido_keeps_its_incident_id(native: Native) -> None:
    first = eido.decode(eido.encode(native).data).native
    assert first is not None
    second = json.loads(eido.encode(first).data)
    assert second["$id"] == json.loads(eido.encode(native).data)["$id"]
    assert eido.encode(first).losses == []  # a decoded EIDO is all EIDO can carry


def test_only_incidents_are_written() -> None:
    with pytest.raises(eido.CodecError) as caught:
        eido.encode(Native(kind="cancellation", reason="duplicate call"))
    assert caught.value.faults[0].field == "kind"


@pytest.mark.parametrize("text", [
    "plain", "two\nlines", "<b>not markup</b> & AT&T &amp; 5 < 6", "  spaced  ", "\n\n",
    "&lt;br&gt;", "a<br>b",
])
def test_notes_html_round_trip_exactly(text: str) -> None:
    assert eido.html_to_text(eido.text_to_html(text)) == text


def test_foreign_html_notes_become_text() -> None:
    assert eido.html_to_text("<p>Caller &amp; patient</p><p>Second<br/>line</p>") == \
        "Caller & patient\nSecond\nline"


@pytest.mark.parametrize(("phone", "uri"), [
    ("029 2018 0456", "tel:029-2018-0456"),
    ("+44 29 2018 0456", "tel:+44-29-2018-0456"),
    ("999", "tel:999"),
])
def test_phone_numbers_travel_as_tel_uris(phone: str, uri: str) -> None:
    assert eido.tel_uri(phone) == uri
    assert eido.phone_from_uri(uri) == phone


def test_sip_and_foreign_callback_uris() -> None:
    assert eido.phone_from_uri("sip:8195551212@osp.com") == "8195551212"
    assert eido.phone_from_uri("tel:+1-201-555-0123;phone-context=x") == "+1 201 555 0123"
    assert eido.phone_from_uri("sip:alice@example.com") is None
    assert eido.phone_from_uri("mailto:x@example.com") is None


@pytest.mark.parametrize("raw", [
    "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us", "SWP-1", "a b/c", "-x",
    "x" * 100, "",
])
def test_references_are_sanitised_to_the_native_pattern(raw: str) -> None:
    ref = eido.sanitise_reference(raw)
    assert re.fullmatch(REFERENCE_PATTERN, ref)
    if raw and len(raw) <= 64 and " " not in raw and "/" not in raw and raw[0] != "-":
        assert ref == raw
    assert eido.sanitise_reference("a b") != eido.sanitise_reference("a/b")


def test_a_minimal_incident_encodes() -> None:
    incident = Incident(reference="SWP-1", type=IncidentType.FIRE, priority=Priority.URGENT,
                        summary="Bin fire", location=Location(uprn="10033544614"),
                        created_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    encoded = eido.encode(Native(kind="incident", incident=incident), schema_dir=SCHEMA)
    assert encoded.losses == ["incident.location.uprn"]
    document = json.loads(encoded.data)
    assert "locationComponent" not in document
    assert document["incidentComponent"]["incidentTypeCommonRegistryText"] == "FOTHER"
    assert document["lastUpdateTimeStamp"] == "2026-11-23T09:30:00Z"
    back = eido.decode(encoded.data, schema_dir=SCHEMA).native
    assert back is not None and back.incident is not None
    assert back.incident.location == Location()
    assert back.sender == eido.HUB_ELEMENT
