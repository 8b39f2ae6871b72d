"""NENA EIDO conformance: the official schema and call-transfer sample (read in place from
../shared/conformance/nena-eido), the schema's known defects repaired in memory, the
sample imported and exported, broken EIDOs rejected with the faulty field named, and a
UK sample of our own (tests/samples/eido)."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft4Validator

from bluelight.hub.adapters.codecs import CodecError, eido
from bluelight.hub.adapters.codecs.eido import schema as eido_schema
from bluelight.hub.domain.incident import IncidentType, Priority
from shared_data import CONFORMANCE

NENA = CONFORMANCE / "nena-eido"
SCHEMA = NENA / "schema"
SAMPLE = NENA / "samples" / "Sample call transfer EIDO.json"
OWN_SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "eido" / \
    "cardiff-concern-for-welfare.json"

needs_nena = pytest.mark.skipif(
    not (SCHEMA / "openapi.yaml").is_file(),
    reason=f"NENA EIDO conformance vectors not found at {NENA} "
           "(CI checks out shared/ beside the repository)")


@pytest.fixture(scope="module")
def validator():
    return eido_schema.validator(SCHEMA)


@pytest.fixture
def sample() -> dict:
    return json.loads(SAMPLE.read_bytes())


def schema_errors(validator, document: dict) -> list[tuple[str, str]]:
    return [(eido_schema.error_path(e.absolute_path), e.message)
            for e in validator.iter_errors(document)]


def fault_fields(exc: CodecError) -> list[str]:
    return [f.field for f in exc.faults]


# -- the schema and its defects ----------------------------------------------------------


@needs_nena
def test_the_official_sample_validates(validator, sample) -> None:
    assert schema_errors(validator, sample) == []


@needs_nena
def test_agent_role_min_items_is_read_as_one() -> None:
    raw = yaml.safe_load((SCHEMA / "openapi.yaml").read_text(encoding="utf-8"))
    raw_agent = raw["components"]["schemas"]["AgentType"]["allOf"][1]
    assert raw_agent["properties"]["agentRoleRegistryText"]["minItems"] == "1,"  # the defect
    with pytest.raises(Exception):  # noqa: B017 - as published, the schema is not a schema
        Draft4Validator.check_schema(raw_agent)

    fixed = eido_schema.schema_set(SCHEMA).schema("AgentType")["allOf"][1]
    assert fixed["properties"]["agentRoleRegistryText"]["minItems"] == 1
    for schema in eido_schema.schema_set(SCHEMA).document(SCHEMA / "openapi.yaml")[
            "components"]["schemas"].values():
        Draft4Validator.check_schema(schema)


@needs_nena
def test_agent_role_min_items_is_enforced(validator, sample) -> None:
    sample["agentComponent"][0]["agentRoleRegistryText"] = []
    assert schema_errors(validator, sample) == [
        ("agentComponent[0].agentRoleRegistryText", "[] should be non-empty")]


@needs_nena
def test_alternate_values_require_the_properties_they_define() -> None:
    alternate = eido_schema.validator(SCHEMA, "AlternateValuesType")
    value = {
        "DataComponentReference": {"$ref": "123e4567-dead-12d3-a456-426614174000"},
        "Element": "locationByValue",
        "Alternate": [{"Constituent": "psap.example.us",
                       "Timestamp": "2021-04-30T14:43:49.439-04:00",
                       "OtherValue": "<presence/>"}],
    }
    assert list(alternate.iter_errors(value)) == []
    del value["Alternate"][0]["OtherValue"]
    assert [e.message for e in alternate.iter_errors(value)] == [
        "'OtherValue' is a required property"]


@needs_nena
def test_repairs_are_in_memory_only_and_recorded() -> None:
    files = sorted(SCHEMA.rglob("*.yaml"))
    before = {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    fresh = eido_schema.SchemaSet(SCHEMA)  # not the cached one: really loads again
    fresh.document(SCHEMA / "NIEMComponents" / "fips_5-2.yaml")
    assert {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files} == before
    assert {(f.document, f.pointer) for f in fresh.fixes} == {
        ("openapi.yaml", "/components/schemas/AgentType/allOf/1/properties/"
                         "agentRoleRegistryText/minItems"),
        ("openapi.yaml", "/components/schemas/AlternateValuesType/properties/Alternate/"
                         "items/required"),
    }
    # YAML 1.1 would have read the unquoted state codes oddly; they stay strings.
    fips = fresh.document(SCHEMA / "NIEMComponents" / "fips_5-2.yaml")
    codes = fips["components"]["schemas"]["fips_5-2USStateNumericCodeSimpleType"]["enum"]
    assert {"08", "09"} <= set(codes) and all(isinstance(c, str) for c in codes)


# -- the official sample ----------------------------------------------------------------


@needs_nena
def test_the_official_sample_imports() -> None:
    translation = eido.decode(SAMPLE.read_bytes(), schema_dir=SCHEMA)
    native = translation.native
    assert native is not None and native.incident is not None
    incident = native.incident
    assert native.kind == "incident"
    assert native.sender == "state.pa.us"
    assert native.reference == incident.reference == \
        "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"
    assert native.message_id == ("urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"
                                 "@2021-04-30T14:43:49.439-04:00")
    edt = timezone(timedelta(hours=-4))
    assert native.sent_at == datetime(2021, 4, 30, 14, 43, 49, 439000, tzinfo=edt)
    assert incident.created_at == datetime(2021, 4, 30, 14, 40, tzinfo=edt)  # call start
    # No incident component: no type or priority given.
    assert incident.type == IncidentType.OTHER
    assert incident.priority == Priority.EMERGENCY
    assert incident.summary == "Emergency call transferred from state.pa.us"
    # The routing location's PIDF-LO civic address (the caller's is by reference only).
    assert incident.location.address == "42 W Cellular Street, Wilmington, DE, US"
    assert (incident.location.lat, incident.location.lon) == (None, None)
    # The caller: personComponent role "Caller" -> callback component -> tel: URI.
    assert incident.caller is not None
    assert (incident.caller.name, incident.caller.phone) == (None, "8195551212")
    assert incident.hazards == [] and incident.notes == ""

    losses = set(translation.losses)
    assert {
        "callComponent[0].queueIdentifier",
        "callComponent[0].direction",
        "callComponent[0].callStateRegistryText",
        "callbackComponent[0].callBackInformationUri[0]",  # the sip: twin of the tel: URI
        "callbackComponent[0].deviceContactHeader",
        "agencyComponent[0].agencyType",
        "agentComponent[0].agentRoleRegistryText",
        "additionalDataComponent[0].additionalDataByValue",
        "locationComponent[1].locationByReferenceUrl",
        "locationComponent[0].locationByValue.method",
        "locationComponent[0].locationByValue.usage-rules.retention-expiry",
        "issuingElementIdentification",  # the IDX "idx.state.pa.us", not the agency
    } <= losses
    used = {"callComponent[0].callStartTimestamp", "callComponent[0].standardPrimaryCallType",
            "callbackComponent[0].callBackInformationUri[1]", "lastUpdateTimeStamp",
            "updatedByAgencyReference", "locationComponent[0].locationByValue"}
    assert not used & losses


@needs_nena
def test_the_official_sample_exports_back_to_a_valid_eido(validator) -> None:
    imported = eido.decode(SAMPLE.read_bytes(), schema_dir=SCHEMA).native
    assert imported is not None
    exported = eido.encode(imported, schema_dir=SCHEMA)
    assert exported.media_type == "application/json"
    assert exported.losses == []
    document = json.loads(exported.data)
    assert schema_errors(validator, document) == []
    assert document["$id"] == "urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us"
    assert document["updatedByAgencyReference"] == {"$ref": "state.pa.us"}

    again = eido.decode(exported.data, schema_dir=SCHEMA)
    assert again.losses == []
    assert again.native is not None and again.native.incident == imported.incident


@needs_nena
def test_a_full_native_incident_exports_to_a_valid_eido(validator) -> None:
    imported = eido.decode(OWN_SAMPLE.read_bytes(), schema_dir=SCHEMA).native
    assert imported is not None
    exported = eido.encode(imported, schema_dir=SCHEMA)
    document = json.loads(exported.data)
    assert schema_errors(validator, document) == []  # incl. the NIEM person name
    person = document["personComponent"][0]
    assert person["ncPersonComponent"]["name"][0]["personFullName"][0]["value"] == "Rhian Morgan"
    assert "<gml:pos>51.48391 -3.16467</gml:pos>" in \
        document["locationComponent"][0]["locationByValue"]


# -- broken EIDOs ------------------------------------------------------------------------


def _broken(mutate):
    def build(document: dict) -> bytes:
        document = copy.deepcopy(document)
        mutate(document)
        return json.dumps(document).encode()
    return build


BROKEN = {
    "wrong type": (_broken(lambda d: d["callComponent"][0].update(direction=42)),
                   "callComponent[0].direction"),
    "not in the enum": (_broken(lambda d: d.update(eidoVersion="2.0")), "eidoVersion"),
    "bad timestamp": (_broken(lambda d: d.update(lastUpdateTimeStamp="30/04/2021 14:43")),
                      "lastUpdateTimeStamp"),
    "missing required": (_broken(lambda d: d.pop("agencyComponent")), "agencyComponent"),
    "missing nested": (_broken(lambda d: d["personComponent"][0].pop(
        "personIncidentRoleRegistryText")), "personComponent[0].personIncidentRoleRegistryText"),
    # The schema's Reference type has no "type: object", so only the codec catches this.
    "reference as a string": (_broken(lambda d: d.update(updatedByAgencyReference="pa.us")),
                              "updatedByAgencyReference"),
    "PIDF-LO not XML": (_broken(lambda d: d["locationComponent"][0].update(
        locationByValue="<presence><unclosed>")), "locationComponent[0].locationByValue"),
    "PIDF-LO with a DTD": (_broken(lambda d: d["locationComponent"][0].update(
        locationByValue='<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')),
        "locationComponent[0].locationByValue"),
}


@needs_nena
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_eido_is_rejected_naming_the_field(case: str, sample: dict) -> None:
    build, field = BROKEN[case]
    with pytest.raises(CodecError) as caught:
        eido.decode(build(sample), schema_dir=SCHEMA)
    assert field in fault_fields(caught.value)
    assert caught.value.format == "eido"


@needs_nena
def test_several_faults_are_reported_at_once(sample: dict) -> None:
    sample["eidoVersion"] = 1
    sample["callComponent"][0]["direction"] = "sideways"
    del sample["personComponent"][0]["$id"]
    with pytest.raises(CodecError) as caught:
        eido.decode(json.dumps(sample).encode(), schema_dir=SCHEMA)
    assert {"eidoVersion", "callComponent[0].direction", "personComponent[0].$id"} <= \
        set(fault_fields(caught.value))


@pytest.mark.parametrize(("data", "fault"), [
    (b"this is not JSON", "not valid JSON"),
    (b'{"eidoVersion": "1.0",', "not valid JSON"),
    (b'{"x": NaN}', "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b'["an", "array"]', "must be a JSON object"),
    (b'"a string"', "must be a JSON object"),
])
def test_what_is_not_a_json_object_is_rejected(data: bytes, fault: str) -> None:
    with pytest.raises(CodecError) as caught:
        eido.decode(data)
    assert [(f.field, f.fault) for f in caught.value.faults] == [("(document)", fault)]


# -- our own UK sample -------------------------------------------------------------------


@needs_nena
def test_our_uk_sample_is_a_valid_eido(validator) -> None:
    assert schema_errors(validator, json.loads(OWN_SAMPLE.read_bytes())) == []


@pytest.mark.parametrize("schema_dir", [
    pytest.param(SCHEMA, marks=needs_nena, id="with-schema"),
    pytest.param(None, id="codec-checks-only"),
])
def test_our_uk_sample_imports(schema_dir, monkeypatch) -> None:
    monkeypatch.delenv(eido_schema.ENV_VAR, raising=False)
    translation = eido.decode(OWN_SAMPLE.read_bytes(), schema_dir=schema_dir)
    native = translation.native
    assert native is not None and native.incident is not None
    incident = native.incident
    assert native.sender == "uk.ambulance.wales"
    assert incident.reference == "WAST-20261123-0117"
    assert incident.type == IncidentType.CONCERN_FOR_WELFARE  # APCO "WELFARE"
    assert incident.priority == Priority.URGENT
    assert incident.created_at == datetime(2026, 11, 23, 1, 52, 10, tzinfo=UTC)
    assert incident.summary.startswith("Police requested to force entry")
    assert incident.notes.splitlines()[1] == ("Patient is diabetic and lives alone. Key-holder "
                                              "(daughter) is 40 minutes away – crew will not "
                                              "wait.")
    location = incident.location
    assert location.address == "Flat 2, 14 Moira Terrace, Adamsdown, Cardiff, Wales, CF24 0EJ"
    assert (location.lat, location.lon) == (51.48391, -3.16467)
    assert location.description == "Ground-floor flat; side door off the lane behind the terrace"
    assert incident.caller is not None
    assert incident.caller.name == "Rhian Morgan"
    assert incident.caller.phone == "+44 7700 900462"
    assert incident.caller.notes == "Daughter of the occupant; lives in Newport and can bring a key"
    assert incident.hazards == ["Dog at the address, reported aggressive"]
    assert {"incidentComponent.incidentTypeInternalCode",
            "personComponent[1].ncPersonComponent.name[0].personFullName[0].value",
            "cautionComponent[0].cautionSeverity",
            "agencyComponent[1].agencyType"} <= set(translation.losses)
