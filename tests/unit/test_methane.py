"""JESIP M/ETHANE as radio text: written as read over the air, read back tolerantly."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelight.hub.adapters.codecs import CodecError, Native
from bluelight.hub.adapters.codecs import methane as codec
from bluelight.hub.domain.incident import Incident, IncidentUpdate, Location, Methane
from samples import incident as sample_incident
from samples import methane as sample_methane
from strategies import methanes

REPORT = """\
M – MAJOR INCIDENT DECLARED: Yes
E – EXACT LOCATION: M4 J32 westbound, Coryton interchange
T – TYPE OF INCIDENT: Multi-vehicle collision involving a tanker
H – HAZARDS: Diesel spill, possible chemical load, fire risk
A – ACCESS: From J33 eastbound via the contraflow; RVP at Coryton services
N – NUMBER AND SEVERITY OF CASUALTIES: At least 8: 2 critical, 3 serious, 3 minor
E – EMERGENCY SERVICES: present police, fire; required ambulance, HART, highways
"""
SERVICES = ("emergency_services_present", "emergency_services_required")
TEXTS = ("exact_location", "type_of_incident", "hazards", "access", "number_of_casualties")


def _native(methane: dict | Methane | None = None, **changes) -> Native:
    incident = msgspec.convert(sample_incident(reference="SWP-0001", **changes), Incident)
    if methane is not None:
        incident = msgspec.structs.replace(
            incident, methane=msgspec.convert(methane, Methane)
            if isinstance(methane, dict) else methane)
    return Native(kind="incident", message_id="0b7f", sender="uk.fire.south-wales",
                  sent_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC), reference="SWP-0001",
                  incident=incident)


def test_a_report_is_written_as_a_radio_operator_reads_it():
    translation = codec.encode(_native(sample_methane()))
    assert translation.data.decode() == REPORT
    assert translation.media_type.startswith("text/plain")
    assert codec.to_text(msgspec.convert(sample_methane(), Methane)) == REPORT


def test_only_the_methane_block_is_carried_and_the_rest_is_listed():
    translation = codec.encode(_native(sample_methane()))
    assert set(translation.losses) == {
        "message_id", "sender", "sent_at", "reference", "incident.reference",
        "incident.type", "incident.priority", "incident.summary",
        "incident.location.easting", "incident.location.northing",
        "incident.location.address", "incident.location.description",
        "incident.created_at", "incident.notes", "incident.hazards", "incident.casualties",
        "incident.resources_requested", "incident.caller.name", "incident.caller.phone"}
    assert not any(loss.startswith("incident.methane") for loss in translation.losses)


def test_the_text_reads_back_to_the_same_report():
    decoded = codec.decode(REPORT.encode())
    assert decoded.losses == []
    native = decoded.native
    assert native.kind == "incident"
    assert native.incident.methane == msgspec.convert(sample_methane(), Methane)
    assert native.incident.type == "major-incident"
    assert native.incident.priority == "emergency"
    assert native.incident.summary == "Multi-vehicle collision involving a tanker"
    assert native.incident.location.address == "M4 J32 westbound, Coryton interchange"
    assert native.incident.reference.startswith("METHANE-")
    assert codec.decode(REPORT.encode()).native.incident.reference == native.incident.reference


def test_reading_is_tolerant_of_hyphens_case_spacing_and_shorthand():
    text = """METHANE REPORT
    m - major incident declared :   YES
e-exact location:  A470   northbound,
   Nantgarw junction
T: Coach on its side - 40 passengers
hazards - fuel, live traffic
A – Access: via A4054; RVP Nantgarw park and ride
N - Number of casualties: 12 – 3 serious
Emergency services: police; ambulance, fire
"""
    methane = codec.decode(text.encode()).native.incident.methane
    assert methane == Methane(
        major_incident_declared=True,
        exact_location="A470 northbound, Nantgarw junction",
        type_of_incident="Coach on its side - 40 passengers",
        hazards="fuel, live traffic",
        access="via A4054; RVP Nantgarw park and ride",
        number_of_casualties="12 – 3 serious",
        emergency_services_present=["police"],
        emergency_services_required=["ambulance", "fire"])


def test_ethane_without_m_is_not_a_declared_major_incident():
    ethane = "\n".join(line for line in REPORT.splitlines() if not line.startswith("M"))
    native = codec.decode(("ETHANE\n" + ethane).encode()).native
    assert native.incident.methane.major_incident_declared is False
    assert native.incident.priority == "urgent"
    declared_no = REPORT.replace("DECLARED: Yes", "DECLARED: no")
    assert codec.decode(declared_no.encode()).native.incident.methane \
        .major_incident_declared is False


def test_a_missing_line_is_a_fault_naming_it():
    without_h = "\n".join(line for line in REPORT.splitlines() if not line.startswith("H"))
    with pytest.raises(CodecError) as err:
        codec.decode(without_h.encode())
    assert [(f.field, f.fault) for f in err.value.faults] == [("H", "line missing: HAZARDS")]

    only_two = "T – TYPE OF INCIDENT: fire\nA – ACCESS: none"
    with pytest.raises(CodecError) as err:
        codec.decode(only_two.encode())
    assert {f.fault for f in err.value.faults} == {
        "line missing: EXACT LOCATION", "line missing: HAZARDS",
        "line missing: NUMBER AND SEVERITY OF CASUALTIES",
        "line missing: EMERGENCY SERVICES"}


def test_bad_m_lines_and_repeated_lines_are_faults():
    with pytest.raises(CodecError) as err:
        codec.decode(REPORT.replace("DECLARED: Yes", "DECLARED: perhaps").encode())
    assert err.value.faults[0].field == "M"
    with pytest.raises(CodecError) as err:
        codec.decode((REPORT + "H – HAZARDS: again\n").encode())
    assert err.value.faults[0].field == "H"
    with pytest.raises(CodecError):
        codec.decode(b"\xff\xfe not utf-8")


def test_only_messages_with_a_report_can_be_written():
    with pytest.raises(CodecError) as err:
        codec.encode(_native())
    assert err.value.faults[0].field == "incident.methane"
    update = Native(kind="update", reference="SWP-0001", update=IncidentUpdate(
        text="Tanker leak contained", methane=msgspec.convert(sample_methane(), Methane)))
    translation = codec.encode(update)
    assert translation.data.decode() == REPORT
    assert translation.losses == ["reference", "update.text"]
    with pytest.raises(CodecError):
        codec.encode(Native(kind="closure", reference="SWP-0001"))


def test_services_that_the_text_cannot_carry_are_listed():
    methane = sample_methane() | {"emergency_services_required": ["fire, rescue", "HART"],
                                  "emergency_services_present": []}
    translation = codec.encode(_native(methane))
    assert "E – EMERGENCY SERVICES: present none; required fire, rescue, HART" in \
        translation.data.decode()
    assert "incident.methane.emergency_services_required" in translation.losses
    assert "incident.methane.emergency_services_present" not in translation.losses


# --- property: native -> text -> native keeps what the text can carry -----------------

_chars = st.characters(codec="utf-8", exclude_categories=("Cs",))
_value = st.text(_chars, max_size=60)
_service = st.one_of(
    st.text(_chars, min_size=1, max_size=20),
    st.sampled_from(["police", "fire", "ambulance", "HART", "none", "fire, rescue",
                     "a;b", "  coastguard  "]))
# The shared strategy (tests/strategies.py), and reports with line breaks, runs of white
# space and services that cannot be told apart in text ("fire, rescue", "none", "a;b").
awkward_methanes = st.builds(
    Methane, major_incident_declared=st.booleans(), exact_location=_value,
    type_of_incident=_value, hazards=_value, access=_value, number_of_casualties=_value,
    emergency_services_present=st.lists(_service, max_size=4),
    emergency_services_required=st.lists(_service, max_size=4))


@settings(max_examples=150, deadline=None)
@given(st.one_of(methanes, awkward_methanes))
def test_round_trip_keeps_every_line_and_lists_losses_exactly(methane):
    native = Native(kind="incident", incident=Incident(
        reference="SWP-1", type="fire", priority="urgent", summary="Fire", location=Location(),
        created_at=datetime(2026, 1, 1, tzinfo=UTC), methane=methane))
    translation = codec.encode(native)
    back = codec.decode(translation.data).native.incident.methane

    assert back.major_incident_declared == methane.major_incident_declared
    for name in TEXTS:  # one line each: white space runs become one space
        assert getattr(back, name) == " ".join(getattr(methane, name).split())
    expected_losses = {"incident.reference", "incident.type", "incident.priority",
                       "incident.summary", "incident.location", "incident.created_at"}
    for name in SERVICES:
        kept = getattr(back, name) == [" ".join(s.split()) for s in getattr(methane, name)]
        if not kept:
            expected_losses.add(f"incident.methane.{name}")
    assert set(translation.losses) == expected_losses
    assert len(translation.losses) == len(expected_losses)
