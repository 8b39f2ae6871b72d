"""EDXL-DE (France's health hub): whatever a createCase can carry survives native -> EDXL-DE
-> native, in the JSON and the XML form, and exactly the native fields it cannot carry are
reported as losses.

The upstream schemas (../shared/conformance/hubsante/schemas) are used when present, so
every encoded example is also validated against them; without them the property still runs
with the structural checks."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bluelight.hub.adapters.codecs import edxl_de
from bluelight.hub.adapters.codecs.base import CodecError, Native
from bluelight.hub.domain.incident import (
    CasualtyCount,
    Incident,
    IncidentType,
    Location,
    Methane,
    Priority,
    Severity,
)
from shared_data import CONFORMANCE
from strategies import agency_ids, aware_datetimes, incidents, special_losses

SCHEMA_DIR = CONFORMANCE / "hubsante" / "schemas"
SCHEMAS = SCHEMA_DIR if (SCHEMA_DIR / "EDXL-DE-full.schema.json").is_file() else None

# Fields every createCase must have that bluelight has no home for: decoding our own
# message reports them, and nothing else.
BOILERPLATE = {
    "dateTimeExpires", "descriptor.language",
    "message.createCase.referenceVersion", "message.createCase.location.locID",
    "message.createCase.location.country", "message.createCase.location.geometry.datetime",
    "message.createCase.location.geometry.point.coord.precision",
    "message.createCase.initialAlert.id", "message.createCase.initialAlert.reception",
    "message.createCase.initialAlert.callTaker",
    "message.createCase.initialAlert.caller.callerContact",  # a caller with no phone
    "message.createCase.qualification.victims.count",  # a band (several, many)
    "message.createCase.qualification.whatsHappen.code",  # type "other": the code says more
    "message.createCase.location",  # only locID and country: nothing is read, one loss
}
UNKNOWN = Severity.UNKNOWN
# The victim-count bands a createCase has: none, one, several (2+), many (10+).
CARRIED_CASUALTIES = ([], [CasualtyCount(severity=UNKNOWN, count=1)],
                      [CasualtyCount(severity=UNKNOWN, count=2)],
                      [CasualtyCount(severity=UNKNOWN, count=10)])
HAZARDS = ["Risk of fire", "Gas cylinders on site", "Explosion risk", "Feu de cuisine",
           "Asbestos roof", "Unstable structure", "Dogs on the premises"]


def has_caller(incident: Incident) -> bool:
    caller = incident.caller
    return caller is not None and bool(caller.name or caller.phone or caller.notes)


@st.composite
def natives(draw: st.DrawFn) -> Native:
    incident = draw(incidents())
    # Mix in hazards that have a CISU risk code, and victim counts that fit the bands.
    if draw(st.booleans()):
        incident = msgspec.structs.replace(
            incident, hazards=draw(st.lists(st.sampled_from(HAZARDS), max_size=4)))
    if draw(st.booleans()):
        incident = msgspec.structs.replace(
            incident, casualties=draw(st.sampled_from(CARRIED_CASUALTIES)))
    return Native(
        kind="incident",
        message_id=draw(st.from_regex(r"[a-z.]{3,20}_[0-9a-f-]{8,36}", fullmatch=True)),
        sender=draw(agency_ids),
        recipients=draw(st.lists(agency_ids, min_size=1, max_size=3, unique=True)),
        sent_at=draw(aware_datetimes),
        reference=incident.reference,
        incident=incident,
    )


def expected_losses(native: Native) -> set[str]:
    """The documented encode losses, stated independently of the encoder."""
    incident = native.incident
    assert incident is not None and native.sent_at is not None
    where = incident.location
    losses = {f"incident.location.{name}" for name in ("uprn", "easting", "northing")
              if getattr(where, name) is not None}
    if (where.lat is None) != (where.lon is None):
        losses.add("incident.location.lat" if where.lat is not None else "incident.location.lon")
    if native.sent_at.microsecond:
        losses.add("sent_at")
    if incident.created_at.microsecond:
        losses.add("incident.created_at")
    if incident.type in (IncidentType.ANIMAL, IncidentType.MAJOR_INCIDENT):
        losses.add("incident.type")  # no CISU code: written as "other"
    # reporting ATTENTION / STANDARD rides on the initial alert, which needs a caller
    carried = {Priority.EMERGENCY, Priority.URGENT} if has_caller(incident) else {
        Priority.URGENT}
    if incident.priority not in carried:
        losses.add("incident.priority")
    if any(edxl_de.risk_code(hazard) is None for hazard in incident.hazards):
        losses.add("incident.hazards")
    if incident.casualties not in CARRIED_CASUALTIES:
        losses.add("incident.casualties")
    if incident.resources_requested:
        losses.add("incident.resources_requested")
    if incident.methane is not None:
        losses |= {f"incident.methane.{name}" for name in Methane.__struct_fields__}
    return losses | special_losses(incident)


def restore(back: Native, native: Native, losses: set[str]) -> Native:
    """`back` with each lost field put back as it was in `native`, datetimes compared as
    instants and an empty caller as none: what is left must be exactly equal."""
    original, got = native.incident, back.incident
    assert original is not None and got is not None
    location = msgspec.structs.replace(got.location, **{
        name: getattr(original.location, name) for name in ("uprn", "easting", "northing",
                                                            "lat", "lon")
        if f"incident.location.{name}" in losses})
    fields = {name: getattr(original, name) for name in (
        "type", "priority", "hazards", "casualties", "resources_requested", "created_at")
        if f"incident.{name}" in losses}
    if any(loss.startswith("incident.methane.") for loss in losses):
        fields["methane"] = original.methane
    for name in ("medical", "vulnerability", "officer_safety", "intelligence"):
        if any(loss.startswith(f"incident.{name}") for loss in losses):
            fields[name] = getattr(original, name)
    incident = msgspec.structs.replace(got, location=location, **fields)
    sent_at = native.sent_at if "sent_at" in losses else back.sent_at
    return normal(msgspec.structs.replace(back, incident=incident, sent_at=sent_at))


def normal(native: Native) -> Native:
    incident = native.incident
    assert incident is not None and native.sent_at is not None
    caller = incident.caller if incident.caller is not None and has_caller(incident) else None
    incident = msgspec.structs.replace(incident, caller=caller,
                                       created_at=incident.created_at.astimezone(UTC))
    return msgspec.structs.replace(native, incident=incident,
                                   sent_at=native.sent_at.astimezone(UTC))


@pytest.mark.parametrize("form", ["json", "xml"])
@settings(max_examples=100, deadline=None)
@given(native=natives())
def test_native_to_edxl_de_and_back_keeps_what_the_format_carries(form: str, native: Native):
    encoded = edxl_de.encode(native, form=form)
    assert encoded.media_type == f"application/{form}"
    assert len(encoded.losses) == len(set(encoded.losses))
    losses = set(encoded.losses)
    assert losses == expected_losses(native)

    decoded = edxl_de.decode(encoded.data, schema_dir=SCHEMAS)  # valid upstream, too
    assert set(decoded.losses) <= BOILERPLATE
    back = decoded.native
    assert back is not None and back.kind == "incident" and back.incident is not None
    assert restore(back, native, losses) == normal(native)

    # What is lost is degraded the documented way, never invented.
    original = native.incident
    assert back.incident.hazards == [h for h in original.hazards if edxl_de.risk_code(h)]
    if "incident.type" in losses:
        assert back.incident.type == IncidentType.OTHER
    if "incident.priority" in losses:
        assert back.incident.priority in (Priority.URGENT, Priority.EMERGENCY)


@settings(max_examples=40, deadline=None)
@given(native=natives())
def test_the_json_and_xml_forms_say_the_same(native: Native):
    as_json = edxl_de.decode(edxl_de.encode(native).data)
    as_xml = edxl_de.decode(edxl_de.encode(native, form="xml").data)
    assert as_json.native == as_xml.native
    assert as_json.losses == as_xml.losses


def test_a_reference_that_is_not_a_case_id_is_prefixed_with_the_sender():
    incident = Incident(reference="SWP:2026:11", type=IncidentType.FIRE,
                        priority=Priority.URGENT, summary="Car fire",
                        location=Location(lat=51.48, lon=-3.18),
                        created_at=datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
    native = Native(kind="incident", sender="uk.police.swp", recipients=["fr.fire.sdis62"],
                    sent_at=datetime(2026, 11, 23, 14, 6, tzinfo=UTC),
                    reference=incident.reference, incident=incident)
    encoded = edxl_de.encode(native)
    case = msgspec.json.decode(encoded.data)["content"][0]["jsonContent"][
        "embeddedJsonContent"]["message"]["createCase"]
    assert case["caseId"] == "uk.police.swp.SWP_2026_11"
    assert case["senderCaseId"] == "SWP:2026:11"
    back = edxl_de.decode(encoded.data, schema_dir=SCHEMAS).native
    assert back.reference == back.incident.reference == "SWP:2026:11"
    assert encoded.losses == []  # message id generated, nothing else to lose


def test_encode_names_what_it_cannot_carry():
    with pytest.raises(CodecError) as refused:
        edxl_de.encode(Native(kind="incident", sender="uk.police.swp"))
    assert refused.value.faults[0].field == "recipients"
    with pytest.raises(CodecError) as refused:
        edxl_de.encode(Native(kind="incident", recipients=["fr.fire.sdis62"]))
    assert refused.value.faults[0].field == "sender"
    with pytest.raises(CodecError):
        edxl_de.encode(Native(kind="incident", sender="a.b.c", recipients=["d.e.f"]),
                       form="yaml")
