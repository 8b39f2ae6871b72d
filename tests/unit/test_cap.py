"""CAP 1.2: incidents out as public alerts that validate against the OASIS schema, alerts
(an Environment Agency flood warning) in as incidents, and hostile or invalid XML out."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bluelight.hub.adapters.codecs import CodecError, Native
from bluelight.hub.adapters.codecs import cap as codec
from bluelight.hub.adapters.codecs.methane import normalised, squash
from bluelight.hub.domain.commands import Closure
from bluelight.hub.domain.incident import (
    CallerContact,
    Incident,
    IncidentType,
    IncidentUpdate,
    Location,
    Methane,
    Priority,
)
from samples import incident as sample_incident
from samples import methane as sample_methane
from strategies import agency_ids, aware_datetimes, incidents, special_losses

SAMPLES = Path(__file__).parent.parent / "samples" / "cap"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
SENT = datetime(2026, 11, 23, 9, 30, 12, tzinfo=UTC)


def _incident(**changes) -> Incident:
    base = sample_incident(reference="SWP-20261123-0042", created_at=SENT.isoformat())
    base["location"] |= {"lat": 51.4816, "lon": -3.1791, "uprn": "10033544614"}
    return msgspec.convert(base | changes, Incident)


def _native(of: Incident | None = None, **changes) -> Native:
    incident = of or _incident()
    fields = {"kind": "incident", "message_id": "7d1c9e2a-0d6b-4f3e-9a51-2f0c7b1e4d88",
              "sender": "uk.fire.south-wales", "recipients": ["uk.police.south-wales"],
              "sent_at": SENT, "reference": incident.reference, "incident": incident}
    return Native(**(fields | changes))


def _valid(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    codec.schema().validate(root)  # raises if the alert is not valid CAP 1.2
    return root


def test_the_vendored_schema_is_the_official_oasis_cap_1_2_schema():
    text = codec.SCHEMA_PATH.read_bytes()
    assert codec.schema().target_namespace == "urn:oasis:names:tc:emergency:cap:1.2"
    assert b"Copyright OASIS Open 2010" in text
    assert hashlib.sha256(text).hexdigest() == \
        "b7798ef25868b068c97b268bda02d067c7d4ba9373adc5638bf37105804ee723"


def test_an_incident_becomes_a_public_alert_that_validates():
    translation = codec.encode(_native(_incident(methane=sample_methane())))
    assert translation.media_type == "application/cap+xml"
    root = _valid(translation.data)
    assert root.findtext(f"{CAP}identifier") == "7d1c9e2a-0d6b-4f3e-9a51-2f0c7b1e4d88"
    assert root.findtext(f"{CAP}sender") == "uk.fire.south-wales"
    assert root.findtext(f"{CAP}sent") == "2026-11-23T09:30:12-00:00"
    assert root.findtext(f"{CAP}status") == "Actual"
    assert root.findtext(f"{CAP}msgType") == "Alert"
    assert root.findtext(f"{CAP}scope") == "Public"
    assert root.findtext(f"{CAP}incidents") == "SWP-20261123-0042"
    info = root.find(f"{CAP}info")
    assert info.findtext(f"{CAP}language") == "en-GB"
    assert [c.text for c in info.findall(f"{CAP}category")] == ["Transport"]
    assert info.findtext(f"{CAP}event") == "Road traffic collision"
    assert (info.findtext(f"{CAP}urgency"), info.findtext(f"{CAP}severity"),
            info.findtext(f"{CAP}certainty")) == ("Immediate", "Extreme", "Observed")
    assert info.findtext(f"{CAP}headline") == "Two-car RTC, one person trapped"
    description = info.findtext(f"{CAP}description")
    # The free-text notes stay out of a public alert (they may describe people).
    assert description.startswith("Two-car RTC, one person trapped\n\nM/ETHANE\n")
    assert "Caller reports smoke" not in description
    assert "\n\nM/ETHANE\nM – MAJOR INCIDENT DECLARED: Yes\n" in description
    assert info.findtext(f"{CAP}instruction") == "Hazards: fuel leak; live traffic"
    assert info.findtext(f"{CAP}area/{CAP}areaDesc") == "Castle Street, Cardiff CF10 1BS"
    assert info.findtext(f"{CAP}area/{CAP}circle") == "51.4816,-3.1791 0"
    assert set(translation.losses) == {
        "recipients", "incident.location.uprn", "incident.location.easting",
        "incident.location.northing", "incident.location.description",
        "incident.casualties", "incident.resources_requested", "incident.caller.name",
        "incident.caller.phone", "incident.notes"}


def test_personal_data_never_goes_into_a_public_alert():
    caller = CallerContact(name="Jane Evans", phone="07700 900123",
                           notes="Lives at 4 Heol y Nant, deaf, text only")
    translation = codec.encode(_native(_incident(caller=msgspec.to_builtins(caller))))
    for secret in ("Jane", "Evans", "07700", "900123", "Heol y Nant", "text only"):
        assert secret.encode() not in translation.data
    assert {"incident.caller.name", "incident.caller.phone",
            "incident.caller.notes"} <= set(translation.losses)


@pytest.mark.parametrize(("type_", "categories"), [
    ("fire", ["Fire"]), ("flood-water-rescue", ["Met", "Rescue"]),
    ("hazardous-materials", ["CBRNE"]), ("road-traffic-collision", ["Transport"]),
    ("medical", ["Health"]), ("police-assistance", ["Security"]),
    ("major-incident", ["Safety"]), ("animal", ["Other"]),
    ("concern-for-welfare", ["Rescue"]), ("other", ["Other"])])
def test_every_type_has_categories_and_comes_back(type_, categories):
    translation = codec.encode(_native(_incident(type=type_)))
    root = _valid(translation.data)
    assert [c.text for c in root.iter(f"{CAP}category")] == categories
    assert codec.decode(translation.data).native.incident.type == type_


@pytest.mark.parametrize(("priority", "urgency", "severity"), [
    ("emergency", "Immediate", "Extreme"), ("urgent", "Immediate", "Severe"),
    ("routine", "Expected", "Moderate"), ("low", "Future", "Minor")])
def test_priority_maps_to_urgency_and_severity_and_back(priority, urgency, severity):
    translation = codec.encode(_native(_incident(priority=priority)))
    root = _valid(translation.data)
    assert root.findtext(f"{CAP}info/{CAP}urgency") == urgency
    assert root.findtext(f"{CAP}info/{CAP}severity") == severity
    assert codec.decode(translation.data).native.incident.priority == priority


def test_an_incident_comes_back_with_everything_the_alert_carried():
    original = _native(_incident(methane=sample_methane()))
    back = codec.decode(codec.encode(original).data)
    assert back.losses == []
    incident = back.native.incident
    expected = msgspec.structs.replace(
        original.incident, casualties=[], resources_requested=[], caller=None, notes="",
        location=Location(lat=51.4816, lon=-3.1791, address="Castle Street, Cardiff CF10 1BS"))
    assert incident == expected
    assert (back.native.message_id, back.native.sender, back.native.sent_at,
            back.native.reference) == (original.message_id, original.sender, SENT,
                                       original.reference)


def test_update_closure_and_cancellation_become_update_and_cancel_alerts():
    update = IncidentUpdate(text="Trapped driver released.\nLeak contained.", priority="urgent",
                            summary="RTC: driver released",
                            location=Location(lat=51.48, lon=-3.18, address="Castle Street"),
                            hazards=["diesel on carriageway"],
                            methane=msgspec.convert(sample_methane(), Methane))
    for native, msg_type in [
        (_native(kind="update", update=update, incident=None), "Update"),
        (_native(kind="closure", closure=Closure(outcome="Resolved", text="All clear.\n\nBye"),
                 incident=None), "Cancel"),
        (_native(kind="closure", closure=Closure(outcome="Stood down"), incident=None), "Cancel"),
        (_native(kind="cancellation", reason="Sent in error", incident=None), "Cancel"),
    ]:
        translation = codec.encode(native)
        assert _valid(translation.data).findtext(f"{CAP}msgType") == msg_type
        assert translation.losses == ["recipients"]
        back = codec.decode(translation.data)
        assert back.losses == []
        assert back.native == msgspec.structs.replace(native, recipients=[])


def test_acknowledgements_are_not_published_and_the_sender_is_required():
    with pytest.raises(CodecError) as err:
        codec.encode(Native(kind="acknowledgement", sender="uk.fire.south-wales",
                            acknowledges="abc"))
    assert err.value.faults[0].field == "kind"
    with pytest.raises(CodecError) as err:
        codec.encode(_native(sender=None))
    assert err.value.faults[0].field == "sender"


def test_an_environment_agency_flood_warning_is_imported_as_an_incident():
    translation = codec.decode((SAMPLES / "ea-flood-warning.xml").read_bytes())
    native = translation.native
    assert native.kind == "incident"
    assert native.message_id == "2.49.0.1.826.1.061WAF10Frankwell.20261123061500"
    assert native.sender == "www.gov.uk/environment-agency"
    assert native.sent_at == datetime(2026, 11, 23, 6, 15, tzinfo=UTC)
    incident = native.incident
    assert incident.reference == native.reference == native.message_id
    assert incident.type == IncidentType.FLOOD_WATER_RESCUE
    assert incident.priority == Priority.URGENT  # Immediate + Severe
    assert incident.summary == "Flood Warning: River Severn at Frankwell, Shrewsbury"
    assert incident.notes.startswith("River levels are rising on the River Severn")
    assert incident.notes.endswith("Put flood protection equipment in place.")
    assert incident.created_at == native.sent_at
    location = incident.location
    assert location.address == "River Severn at Frankwell, Shrewsbury"
    assert 52.7069 < location.lat < 52.7121 and -2.7640 < location.lon < -2.7542
    assert location.lat == pytest.approx(52.7093, abs=0.0005)
    assert location.lon == pytest.approx(-2.7594, abs=0.0005)
    assert translation.losses == [
        "/alert/source", "/alert/info/responseType", "/alert/info/expires",
        "/alert/info/senderName", "/alert/info/web", "/alert/info/contact",
        "/alert/info/certainty", "/alert/info/event", "/alert/info/area/geocode",
        "/alert/info/area/polygon"]


def _sample(**replacements: str) -> bytes:
    text = (SAMPLES / "ea-flood-warning.xml").read_text()
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text.encode()


def test_a_severe_warning_with_a_circle_and_a_foreign_identifier():
    data = _sample(**{
        "<severity>Severe</severity>": "<severity>Extreme</severity>",
        "<identifier>2.49.0.1.826.1.061WAF10Frankwell.20261123061500</identifier>":
            "<identifier>EA/severe flood warning #7 (Frankwell)</identifier>",
        '<polygon>52.7105,-2.7640 52.7121,-2.7585 52.7098,-2.7542 52.7072,-2.7571 '
        '52.7069,-2.7628 52.7105,-2.7640</polygon>': "<circle>52.7093,-2.7594 1.5</circle>"})
    translation = codec.decode(data)
    native = translation.native
    assert native.message_id == "EA/severe flood warning #7 (Frankwell)"
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}", native.reference)
    assert native.reference == "EA-severe-flood-warning-7-Frankwell-"
    assert native.incident.priority == Priority.EMERGENCY
    assert (native.incident.location.lat, native.incident.location.lon) == (52.7093, -2.7594)
    assert "/alert/info/area/circle" in translation.losses  # its 1.5 km radius


def test_a_long_identifier_is_shortened_to_a_stable_reference():
    long_id = "x" * 100
    data = _sample(**{"2.49.0.1.826.1.061WAF10Frankwell.20261123061500": long_id})
    reference = codec.decode(data).native.reference
    assert len(reference) <= 64 and reference == codec.decode(data).native.reference


def test_follow_ups_from_the_environment_agency():
    earlier = "www.gov.uk/environment-agency,2.49.0.1.826.1.061WAF10Frankwell.1,"\
              "2026-11-23T06:15:00-00:00"
    update = codec.decode(_sample(**{
        "<msgType>Alert</msgType>": "<msgType>Update</msgType>",
        "<scope>Public</scope>": f"<scope>Public</scope><references>{earlier}</references>"}))
    assert update.native.kind == "update"
    assert update.native.reference == "2.49.0.1.826.1.061WAF10Frankwell.1"
    assert update.native.update.priority == Priority.URGENT
    assert update.native.update.summary.startswith("Flood Warning")
    assert update.native.update.location.address == "River Severn at Frankwell, Shrewsbury"
    cancel = codec.decode(_sample(**{
        "<msgType>Alert</msgType>": "<msgType>Cancel</msgType>",
        "<scope>Public</scope>":
            f"<scope>Public</scope><note>Flood warning removed</note>"
            f"<references>{earlier}</references>"}))
    assert cancel.native.kind == "cancellation"
    assert cancel.native.reason == "Flood warning removed"
    assert cancel.native.reference == "2.49.0.1.826.1.061WAF10Frankwell.1"
    assert "/alert/info" in cancel.losses


@pytest.mark.parametrize(("change", "path"), [
    ({"<status>Actual</status>": "<status>Bogus</status>"}, "/alert/status"),
    ({"<urgency>Immediate</urgency>": "<urgency>Now</urgency>"}, "/alert/info/urgency"),
    ({"<sent>2026-11-23T06:15:00-00:00</sent>": "<sent>2026-11-23 06:15</sent>"},
     "/alert/sent"),
    ({"<category>Met</category>": "<category>Weather</category>"}, "/alert/info/category"),
    ({"<identifier>2.49.0.1.826.1.061WAF10Frankwell.20261123061500</identifier>": ""},
     "/alert"),
    ({"<areaDesc>River Severn at Frankwell, Shrewsbury</areaDesc>": ""},
     "/alert/info/area"),
])
def test_invalid_cap_is_rejected_naming_the_element(change, path):
    with pytest.raises(CodecError) as err:
        codec.decode(_sample(**change))
    assert path in [fault.field for fault in err.value.faults]


def test_alerts_that_are_not_actual_or_not_cap_1_2_are_refused():
    with pytest.raises(CodecError) as err:
        codec.decode(_sample(**{"<status>Actual</status>": "<status>Exercise</status>"}))
    assert err.value.faults[0].field == "/alert/status"
    with pytest.raises(CodecError) as err:
        codec.decode(_sample(**{"emergency:cap:1.2": "emergency:cap:1.1"}))
    assert err.value.faults[0].field == "/alert"
    with pytest.raises(CodecError) as err:
        codec.decode(_sample(**{"<msgType>Alert</msgType>": "<msgType>Error</msgType>"}))
    assert err.value.faults[0].field == "/alert/msgType"
    with pytest.raises(CodecError) as err:
        codec.decode(_sample(**{"52.7121,-2.7585": "52.7121;-2.7585"}))
    assert err.value.faults[0].field == "/alert/info/area/polygon"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><note>&lol3;</note></alert>"""


@pytest.mark.parametrize("document", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_hostile_xml_is_refused_before_parsing(document):
    with pytest.raises(CodecError) as err:
        codec.decode(document)
    assert "DTD" in err.value.detail
    assert err.value.faults[0].field == "(document)"
    with pytest.raises(CodecError, match="well-formed"):
        codec.decode(b"<alert><identifier></alert>")


# --- property: native -> CAP -> native keeps what CAP carries, losses exactly ----------
# The shared strategies (tests/strategies.py) draw the incidents; on top of them a few
# fields sometimes take the awkward values CAP must cope with: white space and line
# breaks, a lone coordinate, a lone grid value, separators inside hazards and services.

_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"),
                       exclude_characters="\ufffe\uffff")
_awkward = st.text(st.one_of(_chars, st.sampled_from("\n\t\r ;,")), max_size=40)
_awkward_label = st.text(st.one_of(_chars, st.sampled_from(" ;,")), min_size=1, max_size=20)


@st.composite
def natives(draw) -> Native:
    incident = draw(incidents())
    if draw(st.booleans()):
        location = incident.location
        incident = msgspec.structs.replace(
            incident, notes=draw(_awkward), hazards=draw(st.lists(_awkward_label, max_size=4)),
            location=msgspec.structs.replace(
                location, address=draw(st.none() | _awkward),
                description=draw(st.none() | _awkward),
                lon=draw(st.sampled_from([location.lon, None])),
                northing=draw(st.sampled_from([location.northing, None]))))
    if incident.methane is not None and draw(st.booleans()):
        incident = msgspec.structs.replace(incident, methane=msgspec.structs.replace(
            incident.methane, access=draw(_awkward),
            emergency_services_required=draw(st.lists(_awkward_label, max_size=3))))
    return Native(kind="incident", message_id=str(draw(st.uuids())), sender=draw(agency_ids),
                  recipients=draw(st.lists(agency_ids, max_size=2)),
                  sent_at=draw(st.none() | aware_datetimes),
                  reference=draw(st.sampled_from([None, incident.reference, "OTHER-1"])),
                  incident=incident)


def _same_instant(a: datetime, b: datetime) -> bool:
    """Compared in UTC: an aware time in a DST fold never equals one in another zone
    (PEP 495), though both name the same instant."""
    return a.astimezone(UTC) == b.astimezone(UTC)


def _seconds(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _place(value: str | None) -> str | None:
    """What areaDesc gives back as an address."""
    if value and value.strip() and not codec._COORDS.fullmatch(value):
        return value
    return None


@settings(max_examples=150, deadline=None)
@given(natives())
def test_round_trip_keeps_what_cap_carries_and_lists_losses_exactly(native):
    incident, location = native.incident, native.incident.location
    translation = codec.encode(native)
    _valid(translation.data)
    back = codec.decode(translation.data)
    assert back.losses == []
    got = back.native
    assert (got.kind, got.message_id, got.sender) == ("incident", native.message_id,
                                                       native.sender)
    assert _same_instant(got.sent_at, _seconds(native.sent_at or incident.created_at))
    assert got.reference == (native.reference or incident.reference)
    new = got.incident
    assert (new.reference, new.type, new.priority, new.summary, new.notes) == (
        incident.reference, incident.type, incident.priority, incident.summary, "")
    assert _same_instant(new.created_at, _seconds(incident.created_at))
    assert (new.casualties, new.resources_requested, new.caller) == ([], [], None)

    expected = set()
    if incident.notes:
        expected.add("incident.notes")  # never in a public alert
    if native.recipients:
        expected.add("recipients")
    if native.sent_at and native.sent_at.microsecond:
        expected.add("sent_at")
    if incident.created_at.microsecond:
        expected.add("incident.created_at")
    for name in ("uprn", "easting", "northing", "description"):
        if getattr(location, name) is not None:
            expected.add(f"incident.location.{name}")
    has_point = location.lat is not None and location.lon is not None
    if has_point:
        assert (new.location.lat, new.location.lon) == (location.lat, location.lon)
    else:
        assert (new.location.lat, new.location.lon) == (None, None)
        expected |= {f"incident.location.{n}" for n in ("lat", "lon")
                     if getattr(location, n) is not None}
    address = _place(location.address)
    if location.address is not None and address is None:
        expected.add("incident.location.address")
    assert new.location.address == (address or _place(location.description))
    assert (new.location.uprn, new.location.easting, new.location.description) == (
        None, None, None)
    if incident.casualties:
        expected.add("incident.casualties")
    if incident.resources_requested:
        expected.add("incident.resources_requested")
    if incident.caller is not None:
        caller = [f"incident.caller.{n}" for n in ("name", "phone", "notes")
                  if getattr(incident.caller, n) is not None]
        expected |= set(caller or ["incident.caller"])
    if new.hazards == incident.hazards:
        assert "incident.hazards" not in translation.losses
    else:
        expected.add("incident.hazards")
    if incident.methane is None:
        assert new.methane is None
    else:
        assert new.methane == normalised(incident.methane)
        for name in ("emergency_services_present", "emergency_services_required"):
            if getattr(new.methane, name) != [squash(s) for s in getattr(incident.methane, name)]:
                expected.add(f"incident.methane.{name}")
    expected |= special_losses(incident)  # no place in a public alert
    assert set(translation.losses) == expected
    assert len(translation.losses) == len(expected)
