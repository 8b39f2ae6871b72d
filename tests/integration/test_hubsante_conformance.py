"""France's health hub (EDXL-DE 2.0 + CISU) against the upstream conformance vectors in
../shared/conformance/hubsante, read in place: valid messages are accepted and mapped to
the incident they describe, broken ones are refused with a reason naming the fault.

The directories are listed at collection time, so new vectors are picked up as they come."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bluelight.hub.adapters.codecs import edxl_de
from bluelight.hub.adapters.codecs.base import CodecError, Native
from bluelight.hub.domain.incident import (
    CallerContact,
    CasualtyCount,
    IncidentType,
    IncidentUpdate,
    Priority,
    ResourceRequest,
    Severity,
)
from shared_data import CONFORMANCE

HUBSANTE = CONFORMANCE / "hubsante"
SCHEMAS = HUBSANTE / "schemas"
ENVELOPED = HUBSANTE / "valid" / "enveloped"
CONTENT = HUBSANTE / "valid" / "content"
FAILING = HUBSANTE / "failing"
SAMPLE_ENVELOPE = ENVELOPED / "create-case-fire-to-health.json"
OWN_SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "edxl"


def listing(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


def ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def body_kind(path: Path) -> str:
    (kind,) = json.loads(path.read_text(encoding="utf-8"))
    return kind


def wrap(body: dict) -> bytes:
    """A content body (`{"createCase": ...}`, `{"emsi": ...}`, `{"reference": ...}`) in the
    envelope and RC-DE header of the upstream enveloped sample."""
    doc = json.loads(SAMPLE_ENVELOPE.read_text(encoding="utf-8"))
    message = doc["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
    for kind in edxl_de.BUILTIN_CONTENT_KINDS:
        message.pop(kind, None)
    message.update(copy.deepcopy(body))
    kind = "Ack" if "reference" in body else "Error" if "error" in body else "Report"
    doc["distributionKind"] = message["kind"] = kind
    return json.dumps(doc, ensure_ascii=False).encode()


def test_the_conformance_vectors_are_there():
    """Without ../shared/conformance every parametrized test below would vanish."""
    assert listing(ENVELOPED) and listing(CONTENT) and listing(FAILING), HUBSANTE
    assert (SCHEMAS / "EDXL-DE-full.schema.json").is_file()


# ------------------------------------------------------------------ (a) enveloped


@pytest.mark.parametrize("path", listing(ENVELOPED), ids=ids(listing(ENVELOPED)))
def test_every_enveloped_message_is_accepted(path: Path):
    translation = edxl_de.decode(path.read_bytes(), schema_dir=SCHEMAS)
    native = translation.native
    assert native is not None and native.kind in ("incident", "update")
    assert native.sender and native.recipients and native.message_id
    assert native.incident is not None and native.incident.summary
    assert "dateTimeExpires" in translation.losses  # no native home: listed, not dropped


def test_the_enveloped_fire_to_health_case_is_mapped_field_by_field():
    translation = edxl_de.decode(SAMPLE_ENVELOPE.read_bytes(), schema_dir=SCHEMAS)
    native = translation.native
    assert native is not None and native.kind == "incident"
    assert native.message_id == "fr.fire.cisu_dceb61f6-47ca-4e13-ac28-075ea76d4340"
    assert native.sender == "fr.fire.cisu"
    assert native.recipients == ["fr.health.samu070"]
    assert native.sent_at == datetime(2025, 8, 4, 11, 9, 32,
                                      tzinfo=timezone(timedelta(hours=2)))
    # The case was created by SAMU 44, not by the sender: the shared case id is the reference.
    assert native.reference == "fr.health.samu440.DRFR154402413800236"

    incident = native.incident
    assert incident is not None
    assert incident.reference == native.reference
    assert incident.type == IncidentType.HAZARDOUS_MATERIALS  # C09.03.00 "Fuite de gaz"
    assert incident.summary == "Fuite de gaz"
    assert incident.priority == Priority.EMERGENCY  # reporting ATTENTION
    assert incident.hazards == ["Risque d'explosion, présence de gaz"]
    assert incident.created_at == datetime(2024, 5, 18, 18, 15,
                                           tzinfo=timezone(timedelta(hours=2)))
    location = incident.location
    assert (location.lat, location.lon) == (47.147005, -1.690548)
    assert location.address == "3 Rue des Marins, Bouaye"
    assert location.description is not None and "volets verts" in location.description
    assert location.uprn is None and location.easting is None
    # victims: PLUSIEURS (several) children -> at least two, severity unknown
    assert incident.casualties == [CasualtyCount(severity=Severity.UNKNOWN, count=2)]
    assert "main victim child" in incident.notes
    assert "maux de tête" in incident.notes  # the alert's note
    assert "Malaise avec perte de connaissance initiale" in incident.notes  # health motive
    assert incident.caller == CallerContact(name="Marie Dubois", phone="+33671830523",
                                            notes="Mère des enfants")

    losses = set(translation.losses)
    assert {"dateTimeExpires", "descriptor.language",
            "message.createCase.qualification.victims.count",  # a band, not a number
            "message.createCase.location.locID",
            "message.createCase.initialAlert.callTaker",
            "message.createCase.initialAlert.attachment",
            # the alert's own location differs from the case's: not merged, reported
            "message.createCase.initialAlert.location"} <= losses
    assert not any(loss.startswith("message.createCase.qualification.riskThreat")
                   or loss.startswith("message.createCase.initialAlert.caller.detailedName")
                   for loss in losses)
    assert all(not loss.startswith("$") and "[" not in loss for loss in losses)


def test_structural_validation_alone_maps_the_same():
    with_schemas = edxl_de.decode(SAMPLE_ENVELOPE.read_bytes(), schema_dir=SCHEMAS)
    structural = edxl_de.decode(SAMPLE_ENVELOPE.read_bytes())
    assert structural.native == with_schemas.native
    assert structural.losses == with_schemas.losses


# ------------------------------------------------------------------ (b) content


@pytest.mark.parametrize("path", listing(CONTENT), ids=ids(listing(CONTENT)))
def test_every_content_body_is_accepted_in_a_valid_envelope(path: Path):
    body = json.loads(path.read_text(encoding="utf-8"))
    kind = body_kind(path)
    translation = edxl_de.decode(wrap(body), schema_dir=SCHEMAS)
    native = translation.native
    assert native is not None
    assert native.sender == "fr.fire.cisu" and native.recipients == ["fr.health.samu070"]
    if kind == "reference":
        assert native.kind == "acknowledgement"
        assert native.acknowledges == body["reference"]["distributionID"]
        assert native.incident is None
        return
    assert kind in ("createCase", "emsi")
    assert native.incident is not None, f"{kind} must map to an incident"
    incident = native.incident
    assert native.reference == incident.reference and incident.summary
    if kind == "createCase":
        case = body["createCase"]
        assert native.kind == "incident"
        assert incident.reference == case["caseId"]
        assert incident.summary == case["qualification"]["whatsHappen"]["label"]
        coord = case["location"]["geometry"]["point"]["coord"]
        assert (incident.location.lat, incident.location.lon) == (coord["lat"], coord["lon"])
        assert case["location"]["city"]["name"] in (incident.location.address or "")
        assert incident.caller is not None and incident.caller.phone
        assert incident.caller.name == case["initialAlert"]["caller"]["detailedName"]["complete"]
    else:
        event = body["emsi"]["EVENT"]
        # Every EMSI sample is an UPDATE of a case the hub already shares (MAIN_EVENT_ID).
        assert body["emsi"]["CONTEXT"]["MSGTYPE"] == "UPDATE" and native.kind == "update"
        assert native.update is not None and native.update.text
        assert incident.reference == event["MAIN_EVENT_ID"]
        assert incident.summary == event["NAME"]
        coord = event["EGEO"][0]["POSITION"]["COORD"][0]
        assert (incident.location.lat, incident.location.lon) == (coord["LAT"], coord["LONG"])
        assert native.update.location == incident.location
    assert incident.type != IncidentType.OTHER
    assert incident.location.lat is not None and incident.location.address


EXPECTED_TYPES = {
    "RC-EDA-FuiteDeGaz": IncidentType.HAZARDOUS_MATERIALS,  # gas leak
    "RC-EDA_Incendie": IncidentType.FIRE,  # incendie
    "RC-EDA-DouleurThoracique": IncidentType.MEDICAL,  # malaise / douleur thoracique
    "RC-EDA-FemmeEnceinte": IncidentType.MEDICAL,  # obstétrique, femme enceinte
    "EMSI": IncidentType.ROAD_TRAFFIC_COLLISION,  # TRP/COL on a cycle lane
    "emsi": IncidentType.ROAD_TRAFFIC_COLLISION,
}


@pytest.mark.parametrize("path", [p for p in listing(CONTENT) if body_kind(p) != "reference"],
                         ids=ids([p for p in listing(CONTENT) if body_kind(p) != "reference"]))
def test_french_codes_map_to_the_native_incident_type(path: Path):
    prefix = next((p for p in EXPECTED_TYPES if path.name.startswith(p)), None)
    if prefix is None:
        pytest.skip("a new vector: no expected type recorded for it")
    native = edxl_de.decode(wrap(json.loads(path.read_text("utf-8"))), schema_dir=SCHEMAS).native
    assert native is not None and native.incident is not None
    assert native.incident.type == EXPECTED_TYPES[prefix]


def test_emsi_casualties_triage_and_requests_for_assistance():
    body = json.loads((CONTENT / "emsi-DC-message.json").read_text("utf-8"))
    translation = edxl_de.decode(wrap(body), schema_dir=SCHEMAS)
    incident = translation.native.incident
    # TRIAGEYELLOW 1 -> serious, TRIAGEGREEN 1 -> minor; the red/yellow split is reported lost
    assert incident.casualties == [CasualtyCount(severity=Severity.SERIOUS, count=1),
                                   CasualtyCount(severity=Severity.MINOR, count=1)]
    assert "message.emsi.EVENT.CASUALTIES.TRIAGEYELLOW" in translation.losses
    # the mission "#DEMANDE_CONCOURS#..." is a request for assistance
    assert incident.resources_requested == [ResourceRequest(
        kind="FSTT/TA", note="Besoin d'assisance terrain pour gérer perturbations et "
        "sécuriser le site d'intervention.")]
    assert incident.notes.startswith("Gène de plus en plus importante")
    assert {"message.emsi.EVENT.SCALE", "message.emsi.CONTEXT.ORIGIN"} <= set(translation.losses)


def test_an_emsi_alert_is_a_new_incident_and_completion_a_closure():
    body = json.loads((CONTENT / "emsi-DC-message.json").read_text("utf-8"))
    body["emsi"]["CONTEXT"]["MSGTYPE"] = "ALERT"
    native = edxl_de.decode(wrap(body), schema_dir=SCHEMAS).native
    assert native.kind == "incident" and native.update is None
    body["emsi"]["CONTEXT"]["MSGTYPE"] = "UPDATE"
    body["emsi"]["EVENT"]["STATUS"] = "COM"
    native = edxl_de.decode(wrap(body), schema_dir=SCHEMAS).native
    assert native.kind == "closure" and native.closure is not None
    assert native.closure.outcome.startswith("Gène de plus en plus importante")


def test_an_rs_error_is_a_negative_acknowledgement():
    body = {"error": {"errorCode": {"statusCode": 405, "statusString": "INVALID_MESSAGE"},
                      "errorCause": "caseId does not match the pattern",
                      "referencedDistributionID": "uk.fire.swfrs_6a3b"}}
    translation = edxl_de.decode(wrap(body), schema_dir=SCHEMAS)
    native = translation.native
    assert native.kind == "acknowledgement" and native.acknowledges == "uk.fire.swfrs_6a3b"
    assert native.reason == "error 405 INVALID_MESSAGE: caseId does not match the pattern"


def test_a_refused_reference_carries_a_reason():
    body = {"reference": {"distributionID": "uk.fire.swfrs_6a3b", "refused": True,
                          "errorDistributionID": "fr.health.samu070_err1"}}
    native = edxl_de.decode(wrap(body), schema_dir=SCHEMAS).native
    assert native.kind == "acknowledgement" and native.acknowledges == "uk.fire.swfrs_6a3b"
    assert native.reason is not None and "refused" in native.reason
    assert "fr.health.samu070_err1" in native.reason


# ------------------------------------------------------------------ (c) failing

# What each current vector must be refused for, by field: new vectors only need a fault.
EXPECTED_FAULT_FIELDS = {
    "completely-missing-RC-DE.json": ["message.messageId", "message.recipient"],
    "error-in-RC-DE.json": ["message.recipient"],
    "error-in-envelope-and-RC-DE.json": ["$.distributionID", "$._errordistributionID",
                                         "message.messageId"],
    "error-in-envelope-and-content.json": ["$.senderID", "$._errorsenderID"],
    "error-in-envelope.json": ["$.dateTimeSent", "$.descriptor.language",
                               "$.descriptor.explicitAddress.explicitAddressValue"],
    "errors-in-RC-DE-and-content.json": ["message.status", "message.recipient"],
    "invalid-header.json": ["message.recipient"],
    "missing-EDXL-required-field.json": ["$.distributionID",
                                         "$.descriptor.explicitAddress.explicitAddressValue"],
    "multiple-errors-in-RC-DE.json": ["message.kind", "message.status", "message.recipient"],
    "multiple-errors-in-content.json": ["message.technical"],
    "multiple-errors-in-envelope.json": ["$.distributionID", "$.senderID", "$.descriptor"],
    "no-schemas.json": ["embeddedJsonContent.message"],
    "too-many-schemas-and-errors-in-content.json": ["embeddedJsonContent.message"],
    "too-many-schemas.json": ["embeddedJsonContent.message"],
    "unknown-property-at-root.json": ["$.unexpectedUnknownProperty"],
    "unknown-property-deep.json": ["message.technical"],
}
# Faults only the upstream schemas can see (inside the test-only "technical" content).
SCHEMA_ONLY_FAULT_FIELDS = {
    "error-in-envelope-and-content.json": ["message.technical.requiredStringField"],
    "multiple-errors-in-content.json": ["message.technical._errorproperty1",
                                        "message.technical.requiredArray"],
    "too-many-schemas-and-errors-in-content.json": ["message.technical.requiredStringField"],
    "unknown-property-deep.json": ["message.technical.unexpectedUnknownProperty"],
}


def assert_refused(path: Path, schema_dir: Path | None) -> CodecError:
    with pytest.raises(CodecError) as refused:
        edxl_de.decode(path.read_bytes(), schema_dir=schema_dir)
    error = refused.value
    assert error.faults, "a refusal must name at least one fault"
    for fault in error.faults:
        assert fault.field.strip() and fault.fault.strip()
    fields = [fault.field for fault in error.faults]
    expected = EXPECTED_FAULT_FIELDS.get(path.name, [])
    if schema_dir is not None:
        expected = expected + SCHEMA_ONLY_FAULT_FIELDS.get(path.name, [])
    for field in expected:
        assert any(f.endswith(field) for f in fields), (field, fields)
    return error


@pytest.mark.parametrize("path", listing(FAILING), ids=ids(listing(FAILING)))
def test_every_failing_message_is_refused_with_its_faults(path: Path):
    error = assert_refused(path, SCHEMAS)
    if path.name.startswith(("multiple-", "error-in-envelope-and", "errors-in")):
        assert len(error.faults) >= 2  # several errors at once are all reported


@pytest.mark.parametrize("path", listing(FAILING), ids=ids(listing(FAILING)))
def test_every_failing_message_is_refused_without_the_schemas_too(path: Path):
    assert_refused(path, None)


def test_faults_are_machine_readable_and_name_the_problem():
    error = assert_refused(FAILING / "missing-EDXL-required-field.json", SCHEMAS)
    assert ("$.distributionID", "required property is missing") in [
        (f.field, f.fault) for f in error.faults]
    error = assert_refused(FAILING / "unknown-property-at-root.json", None)
    assert ("$.unexpectedUnknownProperty", "unknown property") in [
        (f.field, f.fault) for f in error.faults]
    error = assert_refused(FAILING / "too-many-schemas.json", None)
    assert any("more than one content kind" in f.fault for f in error.faults)
    error = assert_refused(FAILING / "no-schemas.json", None)
    assert any(f.fault.startswith("no content") for f in error.faults)


@pytest.mark.parametrize("schema_dir", [SCHEMAS, None], ids=["schemas", "structural"])
def test_envelope_rules_hold_without_the_upstream_files(schema_dir):
    doc = json.loads(SAMPLE_ENVELOPE.read_text("utf-8"))
    two = copy.deepcopy(doc)
    two["content"].append(copy.deepcopy(two["content"][0]))
    none = copy.deepcopy(doc)
    none["content"] = []
    unknown = copy.deepcopy(doc)
    message = unknown["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
    message["resourcesInfo"] = message.pop("createCase")
    cases = [("$.content", two), ("$.content", none), ("message.resourcesInfo", unknown)]
    for field, broken in cases:
        with pytest.raises(CodecError) as refused:
            edxl_de.decode(json.dumps(broken).encode(), schema_dir=schema_dir)
        assert any(f.field.endswith(field) for f in refused.value.faults), refused.value.faults


def test_exercises_are_refused():
    doc = json.loads(SAMPLE_ENVELOPE.read_text("utf-8"))
    doc["distributionStatus"] = "Exercise"
    with pytest.raises(CodecError) as refused:
        edxl_de.decode(json.dumps(doc).encode(), schema_dir=SCHEMAS)
    assert refused.value.faults[0].field == "$.distributionStatus"


# ------------------------------------------------------------------ (e) XML safety


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE edxlDistribution [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edxlDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0">
  <distributionID>&xxe;</distributionID>
</edxlDistribution>"""


def test_an_xml_envelope_with_a_dtd_is_refused_for_the_dtd():
    with pytest.raises(CodecError) as refused:
        edxl_de.decode(XXE, schema_dir=SCHEMAS)
    assert "DTD" in str(refused.value)
    assert refused.value.faults[0].field == "(document)"
    assert "DTD" in refused.value.faults[0].fault


def test_xml_that_is_not_edxl_de_is_refused():
    with pytest.raises(CodecError) as refused:
        edxl_de.decode(b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>')
    assert refused.value.faults[0].field == "(document)"
    with pytest.raises(CodecError):
        edxl_de.decode(b"not a message")


# ------------------------------------------------------------------ own samples


def test_our_uk_sample_decodes_the_same_as_json_and_as_xml():
    as_json = edxl_de.decode((OWN_SAMPLES / "uk-coach-crash-to-samu62.json").read_bytes(),
                             schema_dir=SCHEMAS)
    as_xml = edxl_de.decode((OWN_SAMPLES / "uk-coach-crash-to-samu62.xml").read_bytes(),
                            schema_dir=SCHEMAS)
    assert as_json.media_type == "application/json" and as_xml.media_type == "application/xml"
    assert as_xml.native == as_json.native
    assert as_xml.losses == as_json.losses

    native = as_json.native
    assert native.kind == "incident" and native.sender == "uk.ambulance.secamb"
    assert native.recipients == ["fr.health.samu620", "uk.police.kent"]
    # caseId is {senderID}.{senderCaseId}: the sender's own reference comes back
    assert native.reference == "SECAMB-20261123-0117"
    incident = native.incident
    assert incident.type == IncidentType.ROAD_TRAFFIC_COLLISION
    assert incident.priority == Priority.EMERGENCY
    assert incident.hazards == ["Fuel leaking from the coach, risk of fire"]
    assert (incident.location.lat, incident.location.lon) == (50.92351, 1.81203)
    assert incident.location.address == "Autoroute A16, sortie 42, Coquelles"
    assert incident.caller == CallerContact(
        name="Sarah Whitfield", phone="+44 1632 960123",
        notes="Tour operator duty manager in Folkestone, relaying the driver's call; "
              "speaks English only")
    assert "38 on board" in incident.notes
    assert incident.casualties == [CasualtyCount(severity=Severity.UNKNOWN, count=2)]


def test_our_sample_is_stable_after_one_translation():
    """Once in native form, the message goes out and comes back unchanged (both forms)."""
    first = edxl_de.decode((OWN_SAMPLES / "uk-coach-crash-to-samu62.json").read_bytes(),
                           schema_dir=SCHEMAS).native
    for form in ("json", "xml"):
        encoded = edxl_de.encode(first, form=form)
        assert encoded.losses == []
        again = edxl_de.decode(encoded.data, schema_dir=SCHEMAS).native
        assert again == first


def test_json_content_inside_an_xml_envelope():
    doc = json.loads((OWN_SAMPLES / "uk-coach-crash-to-samu62.json").read_text("utf-8"))
    embedded = json.dumps(doc["content"][0]["jsonContent"]["embeddedJsonContent"])
    xml = (OWN_SAMPLES / "uk-coach-crash-to-samu62.xml").read_text("utf-8")
    start, end = xml.index("<contentXML>"), xml.index("</contentXML>") + len("</contentXML>")
    escaped = embedded.replace("&", "&amp;").replace("<", "&lt;")
    for inner in (f"<jsonContent><embeddedJsonContent>{escaped}</embeddedJsonContent>"
                  "</jsonContent>",
                  f'<jsonContent>{{"embeddedJsonContent": {escaped}}}</jsonContent>'):
        decoded = edxl_de.decode((xml[:start] + inner + xml[end:]).encode(),
                                 schema_dir=SCHEMAS)
        assert decoded.native == edxl_de.decode(
            (OWN_SAMPLES / "uk-coach-crash-to-samu62.json").read_bytes()).native


def test_encoded_acknowledgements_and_updates_are_valid_hub_messages():
    sent = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    common = {"sender": "uk.ambulance.secamb", "recipients": ["fr.health.samu620"],
              "sent_at": sent}
    ack = Native(kind="acknowledgement", acknowledges="fr.health.samu620_1234", **common)
    back = edxl_de.decode(edxl_de.encode(ack, form="xml").data, schema_dir=SCHEMAS).native
    assert back.kind == "acknowledgement" and back.acknowledges == "fr.health.samu620_1234"

    first = edxl_de.decode((OWN_SAMPLES / "uk-coach-crash-to-samu62.json").read_bytes()).native
    location = first.incident.location
    update = Native(kind="update", reference="SECAMB-20261123-0117", update=IncidentUpdate(
        text="Second coach involved", priority=Priority.EMERGENCY, location=location,
        casualties=[CasualtyCount(severity=Severity.SERIOUS, count=3)]), **common)
    encoded = edxl_de.encode(update)
    back = edxl_de.decode(encoded.data, schema_dir=SCHEMAS).native
    assert back.kind == "update" and back.reference == "SECAMB-20261123-0117"
    assert back.update.text == "Second coach involved"
    assert back.update.priority == Priority.EMERGENCY
    assert back.update.location == location
    assert back.update.casualties == [CasualtyCount(severity=Severity.SERIOUS, count=3)]

    cancel = Native(kind="cancellation", reference="SECAMB-20261123-0117",
                    reason="Duplicate call", **common)
    back = edxl_de.decode(edxl_de.encode(cancel).data, schema_dir=SCHEMAS).native
    assert (back.kind, back.reason) == ("cancellation", "Duplicate call")
