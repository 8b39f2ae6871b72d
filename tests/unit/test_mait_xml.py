"""bluelight's MAIT-style XML profile (NOT a certified BAPCO schema): every message kind
round-trips losslessly, validates against our XSD, and bad documents are refused naming
the element."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bluelight.hub.adapters.codecs import CodecError, Native
from bluelight.hub.adapters.codecs import mait_xml as codec
from bluelight.hub.domain.commands import Closure
from bluelight.hub.domain.incident import (
    CallerContact,
    CasualtyCount,
    Incident,
    IncidentUpdate,
    Location,
    Methane,
    Priority,
    ResourceRequest,
    Severity,
)
from samples import incident as sample_incident
from samples import methane as sample_methane
from strategies import (
    agency_ids,
    aware_datetimes,
    incidents,
    labels,
    locations,
    methanes,
    references,
    text,
)

SAMPLES = Path(__file__).parent.parent / "samples" / "mait"
M = "{urn:bluelight:mait:1.0}"
SENT = datetime(2026, 11, 23, 8, 41, 7, 250_000, tzinfo=timezone(timedelta(hours=1)))
HEADER = {"message_id": "5b0e2c1d-8a43-4f7e-b6d2-3c9a1e7f0a15",
          "sender": "uk.police.south-wales",
          "recipients": ["uk.fire.south-wales", "uk.ambulance.wales"], "sent_at": SENT,
          "reference": "SWP-20261123-0042"}


def _incident(**changes) -> Incident:
    base = sample_incident(reference="SWP-20261123-0042", methane=sample_methane())
    base["location"] |= {"uprn": "10033544614", "lat": 51.4816, "lon": -3.1791}
    return msgspec.convert(base | changes, Incident)


MESSAGES = {
    "incident": Native(kind="incident", incident=_incident(), **HEADER),
    "update": Native(kind="update", update=IncidentUpdate(
        text="Trapped driver released.", priority="urgent", summary="RTC, driver released",
        location=Location(address="Castle Street"), hazards=[], casualties=[
            CasualtyCount(severity="minor", count=3)], resources_requested=[],
        methane=msgspec.convert(sample_methane(), Methane)), **HEADER),
    "update-with-incident": Native(kind="update", update=IncidentUpdate(text="Leak contained"),
                                   incident=_incident(notes="Leak contained"), **HEADER),
    "closure": Native(kind="closure", closure=Closure(outcome="Resolved",
                                                      text="Road reopened 11:20"), **HEADER),
    "closure-without-text": Native(kind="closure", closure=Closure(outcome="Stood down"),
                                   **HEADER),
    "cancellation": Native(kind="cancellation", reason="Sent in error", **HEADER),
    "acknowledgement": Native(kind="acknowledgement", acknowledges="9f1c-77", **HEADER),
}


def _valid(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    codec.schema().validate(root)
    return root


@pytest.mark.parametrize("name", MESSAGES)
def test_every_kind_round_trips_losslessly_and_validates(name):
    native = MESSAGES[name]
    translation = codec.encode(native)
    assert translation.losses == []
    assert translation.media_type == "application/vnd.bluelight.mait+xml"
    root = _valid(translation.data)
    assert root.tag == M + codec.ROOTS[native.kind]
    back = codec.decode(translation.data)
    assert back.losses == []
    assert back.native == native
    assert back.native.sent_at.utcoffset() == timedelta(hours=1)


def test_the_schema_says_it_is_not_a_certified_bapco_schema():
    text = codec.SCHEMA_PATH.read_text()
    assert "NOT A CERTIFIED BAPCO SCHEMA" in text
    assert "NOT a certified\n      BAPCO schema" in text  # in xs:documentation too
    assert codec.schema().target_namespace == "urn:bluelight:mait:1.0"


def test_the_header_and_location_elements():
    root = _valid(codec.encode(MESSAGES["incident"]).data)
    header = root.find(f"{M}Header")
    assert [e.tag.removeprefix(M) for e in header] == [
        "MessageID", "SentAt", "From", "To", "To", "IncidentReference"]
    assert header.findtext(f"{M}SentAt") == "2026-11-23T08:41:07.250000+01:00"
    location = root.find(f"{M}Incident/{M}Location")
    assert location.findtext(f"{M}UPRN") == "10033544614"
    assert location.findtext(f"{M}GridReference/{M}Easting") == "318040.0"
    assert location.findtext(f"{M}GridReference/{M}Northing") == "176420.0"
    assert location.findtext(f"{M}WGS84/{M}Latitude") == "51.4816"
    assert location.findtext(f"{M}Address") == "Castle Street, Cardiff CF10 1BS"
    methane = root.find(f"{M}Incident/{M}Methane")
    assert methane.findtext(f"{M}MajorIncidentDeclared") == "true"
    assert [s.text for s in methane.iterfind(f"{M}EmergencyServicesRequired/{M}Service")] == [
        "ambulance", "HART", "highways"]


@pytest.mark.parametrize("location", [
    Location(address="Heol y Nant, Caerphilly"),
    Location(easting=318040.0),
    Location(northing=176420.0, lon=-3.1),
    Location(lat=51.5),
    Location(uprn="1"),
    Location(),
], ids=["address-only", "easting-only", "northing-and-lon", "lat-only", "uprn-only", "empty"])
def test_locations_without_uprn_or_grid_are_carried_as_they_are(location):
    native = Native(kind="incident", incident=_incident(location=msgspec.to_builtins(location)),
                    **HEADER)
    translation = codec.encode(native)
    root = _valid(translation.data)
    if location.uprn is None:
        assert root.find(f"{M}Incident/{M}Location/{M}UPRN") is None
    if location.easting is None and location.northing is None:
        assert root.find(f"{M}Incident/{M}Location/{M}GridReference") is None
    assert codec.decode(translation.data).native.incident.location == location


def test_the_samples_decode():
    create = codec.decode((SAMPLES / "incident-create.xml").read_bytes()).native
    assert create.kind == "incident"
    assert (create.sender, create.recipients) == (
        "uk.police.south-wales", ["uk.fire.south-wales", "uk.ambulance.wales"])
    assert create.incident.location == Location(
        uprn="10033544614", easting=318040.0, northing=176420.0,
        address="Castle Street, Cardiff CF10 1BS",
        description="Outside the castle gates, eastbound lane")
    assert create.incident.created_at == datetime(2026, 11, 23, 8, 39, 55, tzinfo=UTC)
    assert create.incident.caller == CallerContact(name="Jane Evans", phone="07700 900123")
    assert codec.decode(codec.encode(create).data).native == create

    ack = codec.decode((SAMPLES / "acknowledgement.xml").read_bytes()).native
    assert ack.kind == "acknowledgement"
    assert ack.acknowledges == create.message_id
    assert ack.reference == create.reference
    assert ack.sent_at == datetime(2026, 11, 23, 8, 41, 8, 250_000, tzinfo=UTC)


def _sample(**replacements: str) -> bytes:
    text = (SAMPLES / "incident-create.xml").read_text()
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text.encode()


@pytest.mark.parametrize(("change", "path"), [
    ({"<UPRN>10033544614</UPRN>": "<UPRN>0123</UPRN>"},
     "/IncidentCreate/Incident/Location/UPRN"),
    ({"<Easting>318040</Easting>": "<Easting>three hundred</Easting>"},
     "/IncidentCreate/Incident/Location/GridReference/Easting"),
    ({"<From>uk.police.south-wales</From>": "<From>South Wales Police</From>"},
     "/IncidentCreate/Header/From"),
    ({"<Type>road-traffic-collision</Type>": "<Type>rtc</Type>"},
     "/IncidentCreate/Incident/Type"),
    ({"<SentAt>2026-11-23T08:41:07+00:00</SentAt>": "<SentAt>2026-11-23T08:41:07</SentAt>"},
     "/IncidentCreate/Header/SentAt"),
    ({"<Count>1</Count>": "<Count>-1</Count>"},
     "/IncidentCreate/Incident/Casualties/Casualty[1]/Count"),
    ({"<Summary>Two-car RTC, one person trapped</Summary>": ""}, "/IncidentCreate/Incident"),
    ({"<Priority>emergency</Priority>": "<Priority>emergency</Priority><Colour>red</Colour>"},
     "/IncidentCreate/Incident"),
])
def test_bad_documents_are_refused_naming_the_element(change, path):
    with pytest.raises(CodecError) as err:
        codec.decode(_sample(**change))
    assert path in [fault.field for fault in err.value.faults]


def test_wrong_vocabulary_malformed_and_hostile_xml_are_refused():
    with pytest.raises(CodecError) as err:
        codec.decode(_sample(**{"urn:bluelight:mait:1.0": "urn:example:other"}))
    assert err.value.faults[0].field == "/IncidentCreate"
    with pytest.raises(CodecError) as err:
        codec.decode(b'<IncidentDelete xmlns="urn:bluelight:mait:1.0"/>')
    assert err.value.faults[0].field == "/IncidentDelete"
    with pytest.raises(CodecError, match="well-formed"):
        codec.decode(b'<IncidentCreate xmlns="urn:bluelight:mait:1.0"><Header>')
    with pytest.raises(CodecError) as err:
        codec.decode(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                     b'"file:///etc/passwd">]><IncidentCreate xmlns="urn:bluelight:mait:1.0">'
                     b'&e;</IncidentCreate>')
    assert err.value.faults[0].field == "(document)"


def test_what_cannot_be_written_is_refused_and_stray_fields_are_listed():
    with pytest.raises(CodecError) as err:
        codec.encode(msgspec.structs.replace(MESSAGES["incident"], sender=None))
    assert err.value.faults[0].field == "sender"
    with pytest.raises(CodecError) as err:
        codec.encode(msgspec.structs.replace(MESSAGES["closure"], reference=None))
    assert err.value.faults[0].field == "reference"
    with pytest.raises(CodecError) as err:  # not a hierarchical agency id
        codec.encode(msgspec.structs.replace(MESSAGES["incident"], sender="SWP"))
    assert err.value.faults[0].field == "/IncidentCreate/Header/From"
    with pytest.raises(CodecError) as err:
        codec.encode(msgspec.structs.replace(
            MESSAGES["incident"], incident=_incident(notes="bell \x07")))
    assert err.value.faults[0].field == "incident.notes"

    stray = msgspec.structs.replace(MESSAGES["closure"], reason="why", incident=_incident())
    translation = codec.encode(stray)
    assert translation.losses[0] == "incident.reference" and "reason" in translation.losses

    bare = Native(kind="incident", sender="uk.fire.gwent", incident=_incident())
    back = codec.decode(codec.encode(bare).data).native
    assert back.message_id and back.sent_at  # made up when absent
    assert msgspec.structs.replace(back, message_id=None, sent_at=None) == bare


# --- property: native -> MAIT -> native is lossless ------------------------------------
# Incidents and their parts come from the shared strategies (tests/strategies.py); on
# top of them, text sometimes carries line breaks and tabs, and coordinates any finite
# double (MAIT must carry even values the hub would refuse, exactly).

_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                       exclude_characters="\ufffe\uffff")
_awkward = st.text(st.one_of(_chars, st.sampled_from("\n\t\r ")), max_size=30)
_floats = st.floats(allow_nan=False, allow_infinity=False)
_casualties = st.lists(st.builds(CasualtyCount, severity=st.sampled_from(Severity),
                                 count=st.integers(0, 100_000)), max_size=2)
_resources = st.lists(st.builds(ResourceRequest, kind=labels, count=st.integers(1, 1000),
                                note=st.none() | _awkward), max_size=2)


@st.composite
def _any_locations(draw) -> Location:
    location = draw(locations())
    if draw(st.booleans()):
        location = msgspec.structs.replace(
            location, easting=draw(st.none() | _floats), northing=draw(st.none() | _floats),
            lat=draw(st.none() | st.floats(-90, 90)), address=draw(st.none() | _awkward))
    return location


@st.composite
def _incidents(draw) -> Incident:
    incident = draw(incidents())
    if draw(st.booleans()):
        incident = msgspec.structs.replace(
            incident, notes=draw(_awkward), location=draw(_any_locations()),
            caller=draw(st.none() | st.builds(CallerContact, notes=st.none() | _awkward)))
    return incident


_updates = st.builds(
    IncidentUpdate, text=text(1, 60), priority=st.none() | st.sampled_from(Priority),
    summary=st.none() | text(1, 60), location=st.none() | _any_locations(),
    hazards=st.none() | st.lists(labels, max_size=3), casualties=st.none() | _casualties,
    resources_requested=st.none() | _resources, methane=st.none() | methanes)


@st.composite
def natives(draw) -> Native:
    kind = draw(st.sampled_from(["incident", "update", "closure", "cancellation",
                                 "acknowledgement"]))
    body: dict = {
        "incident": lambda: {"incident": draw(_incidents())},
        "update": lambda: {"update": draw(_updates), "incident": draw(st.none() | _incidents())},
        "closure": lambda: {"closure": draw(st.builds(
            Closure, outcome=text(1, 60), text=st.none() | _awkward))},
        "cancellation": lambda: {"reason": draw(text(1, 60))},
        "acknowledgement": lambda: {"acknowledges": str(draw(st.uuids()))},
    }[kind]()
    optional_reference = kind in ("incident", "acknowledgement")
    return Native(kind=kind, message_id=str(draw(st.uuids())), sender=draw(agency_ids),
                  recipients=draw(st.lists(agency_ids, max_size=3)),
                  sent_at=draw(aware_datetimes),
                  reference=draw((st.none() | references) if optional_reference
                                 else references), **body)


def _in_utc(native: Native) -> Native:
    """Times compared in UTC: an aware time in a DST fold never equals one in another
    zone (PEP 495), though both name the same instant."""
    changes: dict = {"sent_at": native.sent_at.astimezone(UTC)}
    if native.incident is not None:
        changes["incident"] = msgspec.structs.replace(
            native.incident, created_at=native.incident.created_at.astimezone(UTC))
    return msgspec.structs.replace(native, **changes)


@settings(max_examples=150, deadline=None)
@given(natives())
def test_round_trip_is_lossless_for_every_native_field(native):
    translation = codec.encode(native)
    assert translation.losses == []
    _valid(translation.data)
    back = codec.decode(translation.data)
    assert back.losses == []
    assert _in_utc(back.native) == _in_utc(native)
