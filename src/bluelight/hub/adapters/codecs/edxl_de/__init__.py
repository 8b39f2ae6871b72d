"""OASIS EDXL-DE 2.0 as France's health hub (Hub Santé: SAMU 15 <-> fire NexSIS 18) uses it.

The envelope is EDXL-DE 2.0; its one content object carries a CISU message: a distribution
element (RC-DE: messageId, sender, sentAt, kind, status, recipient) plus exactly one content
kind. bluelight maps four kinds: `createCase` (RC-EDA, inter-service case creation), `emsi`
(ISO/TR 22351 EMSI), `reference` (RC-REF, acknowledgement) and `error` (RS-ERROR).

    decode(data, *, schema_dir=None) -> Translation   # JSON or XML, detected by first byte
    encode(native, *, form="json") -> Translation      # form "json" or "xml"

Validation
----------
With `schema_dir` (a directory of the upstream `*.schema.json`, read in place, never copied)
the message is checked against the upstream JSON Schemas (draft-07): the envelope schema
(`EDXL-DE-envelope-only`, or `EDXL-DE-full` with its content left open), then each content
object against `RC-DE` and the schema of the kind it carries. Which kinds exist and which need
RC-DE is read from the `oneOf` of `EDXL-DE-full`; checking the one kind present (rather than
the whole `oneOf`) names the real fault instead of "valid under none of 22 schemas". Every
error is collected (`iter_errors`) into a `FieldFault` named by its JSON path.
Without schemas (`DEFAULT_SCHEMA_DIR`, None unless the application sets it) a structural
check built from the same rules runs instead: required envelope fields, no unknown properties
in the envelope, descriptor and explicit address, the enumerations, the dates, the RC-DE
header and each mapped kind's required fields.
Either way: no content kind, more than one kind, more than one content object, or a kind
bluelight cannot map, are faults too. `distributionStatus` "Exercise" (and EMSI MODE other
than ACTUAL) is refused: the native model has no exercise flag, and an exercise must never
reach a control room as a real incident.

Mapping (foreign <-> native)
----------------------------
    envelope distributionID              <-> message_id
    envelope senderID                    <-> sender
    descriptor.explicitAddress.Value     <-> recipients[0]; further recipients ride in
    message.recipient[].URI ("hubex:ID")  <-> recipients[1:]
    envelope dateTimeSent                 <-> sent_at (whole seconds; UTC written "-00:00")
    createCase  (distributionKind Report -> kind "incident"; Update -> "update" with the full
                 incident as it stands; Cancel -> "cancellation")
      caseId / senderCaseId              <-> reference (see "References" below)
      creation                           <-> incident.created_at
      qualification.whatsHappen.code     <-> incident.type (CISU code table, then label words)
      qualification.whatsHappen.label    <-> incident.summary
      qualification.riskThreat[].label   <-> incident.hazards (code R12 fire, R13 gas/explosion)
      qualification.victims.count        <-> incident.casualties ("0" none, "1" one, PLUSIEURS
                                              2+, BEAUCOUP 10+: lower bounds, severity unknown)
      victims.mainVictim/freetext, healthMotive, additionalInformation.customMap,
      initialAlert.notes[].freetext, freetext[] -> incident.notes (freetext[] <-> notes)
      location.geometry.point.coord.lat/lon <-> incident.location.lat/lon
      location.detailedAddress (number + complete), city.name <-> incident.location.address
      location.freetext                  <-> incident.location.description (decode also adds
                                              name, locLabel, access, qualification.locationKind)
      initialAlert.reporting             <-> incident.priority (ATTENTION = emergency,
                                              STANDARD or none = urgent)
      initialAlert.caller.detailedName.complete <-> incident.caller.name
      initialAlert.caller.callbackContact|callerContact.detail (TEL) <-> incident.caller.phone
      initialAlert.caller.freetext       <-> incident.caller.notes
    emsi  CONTEXT.MSGTYPE: ALERT -> "incident"; UPDATE -> "update" (IncidentUpdate with the
          fields the EMSI gives, plus the incident as the EMSI describes it), or "closure"
          when EVENT.STATUS is COM/STOP; CANCEL -> "cancellation"; ACK -> "acknowledgement"
          of CONTEXT.LINK[0].ID; ERROR -> "acknowledgement" with a reason.
      EVENT.MAIN_EVENT_ID / EVENT.ID      <-> reference (as caseId / senderCaseId)
      EVENT.NAME                          <-> summary
      EVENT.ETYPE.CATEGORY (ACTOR ANI*)   <-> type
      EVENT.EGEO[0].POSITION COORD[0] LAT/LONG, ADDRESS, NAME <-> location lat/lon,
                                              address, description
      EVENT.CASUALTIES[-1]                <-> casualties (RED+YELLOW serious, GREEN minor,
                                              BLACK fatal, MISSING unknown)
      EVENT.DECL_DATIME (or CONTEXT.CREATION, dateTimeSent) -> created_at
      CONTEXT.URGENCY                     <-> priority (URGENT emergency, NOT_URGENT routine)
      CONTEXT.FREETEXT (+ EVENT.FREETEXT) <-> notes / update text / closure outcome (+ text)
      MISSION named "#DEMANDE_CONCOURS#..." -> resources_requested (kind = MISSION.TYPE)
    reference (RC-REF) -> kind "acknowledgement": distributionID <-> acknowledges; refused,
          errorDistributionID and step ERREUR -> reason (an acknowledgement with a reason is
          written back as refused: true)
    error (RS-ERROR) -> kind "acknowledgement" of referencedDistributionID with reason
          "error CODE STRING: CAUSE". A hub error report is a valid message about one of
          ours, not an invalid message, so it is not a CodecError.

Losses
------
Decode lists every foreign field that has no native home as a dotted path in the JSON form,
without array indices and with the content wrapper left out: `dateTimeExpires`,
`descriptor.language`, `message.createCase.location.locID`, `message.emsi.RESOURCE`...
A subtree with nothing used is listed once, by its root. Encode lists the native fields the
message cannot carry: `incident.location.uprn`, `incident.location.easting`, `...northing`,
`incident.methane.<field>`, `incident.resources_requested`, `incident.type` (animal and
major-incident have no CISU code), `incident.priority` (routine/low, or no caller to carry
it), `incident.hazards` (a hazard with no known risk code), `incident.casualties` (beyond
the victim-count bands), `sent_at`/`incident.created_at` (sub-second part), `reason`, `updates` (an export's update
history: freetext[] has no time or author per entry)...

References
----------
CISU's shared case id is `{country}.{domain}.{organisation}.{senderCaseId}`. Encode writes
`senderCaseId` = the native reference and `caseId` = `{senderID}.{reference}` (reference
characters outside [A-Za-z0-9_-] become "_"), or the reference itself when it already is a
shared case id of someone else (4 to 10 dot-separated parts). Decode reverses that: when
caseId is exactly what encode would make of senderCaseId, the reference is senderCaseId;
otherwise it is caseId (the id every partner uses for the case), made to fit the native
pattern ^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$ if needed (and then listed as a loss).

XML form
--------
The hub's XML (as its Java models write it) with the OASIS names accepted too:

    <edxlDistribution xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0">   (or EDXLDistribution)
      <distributionID/> <senderID/> <dateTimeSent/> <dateTimeExpires/>
      <distributionStatus>Actual</distributionStatus>   (or a child ...Default / Value)
      <distributionKind>Report</distributionKind>
      <descriptor><language/><explicitAddress><explicitAddressScheme/>
        <explicitAddressValue/></explicitAddress></descriptor>
      <content><contentObject>
        <xmlContent><embeddedXMLContent>                  (or the hub's <contentXML>)
          <message xmlns="urn:emergency:cisu:2.0"> ... </message>
        </embeddedXMLContent></xmlContent>
        | <jsonContent>{"embeddedJsonContent": {"message": ...}}</jsonContent>
        | <jsonContent><embeddedJsonContent>{"message": ...}</embeddedJsonContent></jsonContent>
      </contentObject></content>
    </edxlDistribution>

Inside `<message>` each JSON member is an element of the same name; a JSON array is the
element repeated (`message.recipient` may also come wrapped in `<recipients>`, as the hub
writes it, and is written so); numbers and booleans are typed by their path in the schemas.
Namespaces inside the message are ignored. The XML is parsed only through `xmlsafe.parse`
(no DTD, no entities, size capped), then checked and mapped exactly as the JSON form.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from lxml import etree

from bluelight.hub.adapters.codecs import special
from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.xmlsafe import MAX_BYTES, parse
from bluelight.hub.domain.commands import Closure
from bluelight.hub.domain.incident import (
    CallerContact,
    CasualtyCount,
    Incident,
    IncidentType,
    IncidentUpdate,
    Location,
    Priority,
    ResourceRequest,
    Severity,
)
from bluelight.kernel.errors import FieldFault

FORMAT = "edxl-de"
EDXL_NS = "urn:oasis:names:tc:emergency:EDXL:DE:2.0"
CISU_NS = "urn:emergency:cisu:2.0"
JSON_MEDIA_TYPE = "application/json"
XML_MEDIA_TYPE = "application/xml"
HUB_SCHEME = "hubex"
LANGUAGE = "en-GB"
REFERENCE_VERSION = "1.3"  # the CISU nomenclature version whose codes encode writes
EXPIRY = timedelta(days=1)

# None: structural validation only. The application may point it at the schema directory.
DEFAULT_SCHEMA_DIR: Path | None = None

# Where decode's loss paths start for the embedded message, and the JSON path of it.
_MSG = "message"
_WRAP = ".jsonContent.embeddedJsonContent.message"

ENVELOPE_FIELDS = ("distributionID", "senderID", "dateTimeSent", "dateTimeExpires",
                   "distributionStatus", "distributionKind", "descriptor", "content")
DISTRIBUTION_STATUSES = ("Actual", "Exercise")
DISTRIBUTION_KINDS = ("Report", "Update", "Cancel", "Ack", "Error")
MESSAGE_STATUSES = ("Actual", "Exercise", "System")

# Every content kind of the hub, and whether it needs the RC-DE header (as EDXL-DE-full's
# oneOf says). Used when no schema directory is given, or it lacks EDXL-DE-full.
BUILTIN_CONTENT_KINDS: dict[str, bool] = {
    "technical": True, "technicalNoreq": False, "distributionElement": False,
    "createCase": True, "createCaseHealth": True, "createCaseHealthUpdate": True,
    "reference": True, "emsi": True, "resourcesInfo": True, "resourcesInfoCisu": True,
    "resourcesEngagement": True, "resourcesStatus": True, "resourcesRequest": True,
    "resourcesResponse": True, "rpis": True, "interventionReport": True,
    "documentLink": True, "geoPositionsUpdate": True, "geoResourcesRequest": True,
    "geoResourcesDetails": True, "appointment": True, "customContent": False, "error": False,
}
SUPPORTED_KINDS = ("createCase", "emsi", "reference", "error")

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_CASE_PART = re.compile(r"^[A-Za-z0-9_-]+$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")


# --------------------------------------------------------------------------- schemas


@dataclass(frozen=True)
class HubSchemas:
    """Validators built from the upstream schema files of one directory."""

    envelope: Any
    message: Any | None  # RC-DE
    contents: dict[str, tuple[Any | None, bool]]  # kind -> (validator or None, needs RC-DE)


_BASE_URI = "https://schemas.invalid/hubsante/"


@functools.lru_cache(maxsize=8)
def load_schemas(schema_dir: Path) -> HubSchemas:
    """Validators for every `*.schema.json` in `schema_dir`, cross-referenced through one
    `referencing.Registry`. The upstream files all declare the same `$id`, so each is
    registered under its file name instead (which is how they `$ref` one another)."""
    from jsonschema import Draft7Validator
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    files = sorted(Path(schema_dir).glob("*.schema.json"))
    if not files:
        raise FileNotFoundError(f"no *.schema.json in {schema_dir}")
    docs: dict[str, dict] = {}
    for file in files:
        contents = json.loads(file.read_text(encoding="utf-8"))
        docs[file.name] = {k: v for k, v in contents.items() if k != "$id"}
    full = docs.get("EDXL-DE-full.schema.json")
    envelope_name = "EDXL-DE-envelope-only.schema.json"
    if envelope_name not in docs:
        if full is None:
            raise FileNotFoundError(f"no EDXL-DE envelope schema in {schema_dir}")
        envelope_name = "(envelope).schema.json"
        opened = copy.deepcopy(full)
        opened["definitions"]["EmbeddedJsonContent"] = {"type": "object"}
        docs[envelope_name] = opened
    registry = Registry().with_resources(
        (_BASE_URI + name, Resource.from_contents(doc, default_specification=DRAFT7))
        for name, doc in docs.items()
    )

    def validator(name: str) -> Any | None:
        if name not in docs:
            return None
        cls = validator_for(docs[name], default=Draft7Validator)
        return cls({"$ref": _BASE_URI + name}, registry=registry)

    if full is not None:
        table = _content_table(full)
    else:
        table = {kind: (_DEFAULT_FILES.get(kind, ""), rcde)
                 for kind, rcde in BUILTIN_CONTENT_KINDS.items()}
    contents = {kind: (validator(file), rcde) for kind, (file, rcde) in table.items()}
    return HubSchemas(envelope=validator(envelope_name),
                      message=validator("RC-DE.schema.json"), contents=contents)


_DEFAULT_FILES = {"createCase": "RC-EDA.schema.json", "emsi": "EMSI.schema.json",
                  "reference": "RC-REF.schema.json", "error": "RS-ERROR.schema.json",
                  "technical": "TECHNICAL.schema.json",
                  "technicalNoreq": "TECHNICAL_NOREQ.schema.json",
                  "customContent": "customContent.schema.json",
                  "distributionElement": "RC-DE.schema.json"}


def _content_table(full: dict) -> dict[str, tuple[str, bool]]:
    """kind -> (schema file, needs RC-DE), read from the branches of EDXL-DE-full's oneOf."""
    table: dict[str, tuple[str, bool]] = {}
    for branch in full["definitions"]["EmbeddedJsonContent"]["oneOf"]:
        parts = branch.get("allOf", [branch])
        messages = [p.get("properties", {}).get("message", {}) for p in parts]
        rcde = any("$ref" in m for m in messages)
        for m in messages:
            for kind in m.get("required", []):
                table[kind] = (m["properties"][kind]["$ref"].split("#")[0], rcde)
    return table


def _schema_faults(validator: Any, instance: Any, prefix: str) -> list[FieldFault]:
    faults = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: e.json_path):
        path = prefix + error.json_path[1:]
        if error.validator == "required":
            match = re.match(r"^'(.+)' is a required property$", error.message)
            name = match.group(1) if match else "?"
            faults.append(FieldFault(f"{path}.{name}", "required property is missing"))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - known):
                faults.append(FieldFault(f"{path}.{extra}", "unknown property"))
        else:
            faults.append(FieldFault(path, _short(error.message)))
    return faults


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------ structural validation

# A small schema language for the checks that run without the upstream schemas:
# "string", a tuple of allowed strings, a dict {"required": [...], "closed": bool,
# "props": {...}}, or ("array", item spec, min items).
_CONTENT_OBJECT = {"required": ["jsonContent"], "closed": True, "props": {
    "jsonContent": {"required": ["embeddedJsonContent"], "closed": True, "props": {
        "embeddedJsonContent": {"required": [], "closed": False, "props": {}}}}}}
_ENVELOPE = {"required": list(ENVELOPE_FIELDS), "closed": True, "props": {
    "distributionID": "string", "senderID": "string", "dateTimeSent": "string",
    "dateTimeExpires": "string", "distributionStatus": DISTRIBUTION_STATUSES,
    "distributionKind": DISTRIBUTION_KINDS,
    "descriptor": {"required": ["explicitAddress", "language"], "closed": True, "props": {
        "language": "string",
        "explicitAddress": {"required": ["explicitAddressScheme", "explicitAddressValue"],
                            "closed": True, "props": {"explicitAddressScheme": "string",
                                                      "explicitAddressValue": "string"}}}},
    "content": ("array", _CONTENT_OBJECT, 1)}}
_PARTY = {"required": ["name", "URI"], "closed": True, "props": {"name": "string",
                                                                 "URI": "string"}}
_RC_DE = {"required": ["messageId", "sender", "sentAt", "kind", "status", "recipient"],
          "closed": False, "props": {"messageId": "string", "sender": _PARTY,
                                     "sentAt": "string", "kind": DISTRIBUTION_KINDS,
                                     "status": MESSAGE_STATUSES,
                                     "recipient": ("array", _PARTY, 1)}}
_CODE = {"required": ["code", "label"], "closed": False, "props": {"code": "string",
                                                                   "label": "string"}}
_KIND_SPECS = {
    "createCase": {"required": ["caseId", "creation", "referenceVersion", "qualification",
                                "location"], "closed": False, "props": {
        "caseId": "string", "creation": "string", "referenceVersion": "string",
        "qualification": {"required": ["whatsHappen"], "closed": False,
                          "props": {"whatsHappen": _CODE}},
        "location": {"required": ["locID", "country"], "closed": False,
                     "props": {"locID": "string", "country": "string"}}}},
    "emsi": {"required": ["CONTEXT", "EVENT"], "closed": False, "props": {
        "CONTEXT": {"required": ["ID", "MODE", "MSGTYPE"], "closed": False, "props": {
            "ID": "string", "MODE": ("ACTUAL", "EXERCS", "SYSTEM", "TEST"),
            "MSGTYPE": ("ACK", "ALERT", "CANCEL", "ERROR", "UPDATE")}},
        "EVENT": {"required": ["ID"], "closed": False, "props": {"ID": "string"}}}},
    "reference": {"required": ["distributionID"], "closed": False,
                  "props": {"distributionID": "string"}},
    "error": {"required": ["errorCode", "errorCause", "referencedDistributionID"],
              "closed": False, "props": {"errorCause": "string",
                                         "referencedDistributionID": "string",
                                         "errorCode": {"required": ["statusCode",
                                                                    "statusString"],
                                                       "closed": False, "props": {}}}},
}


def _check(value: Any, spec: Any, path: str, out: list[FieldFault]) -> None:
    if spec == "string":
        if not isinstance(value, str):
            out.append(FieldFault(path, "must be a string"))
    elif isinstance(spec, tuple) and spec and spec[0] == "array":
        _, item, minimum = spec
        if not isinstance(value, list):
            out.append(FieldFault(path, "must be an array"))
        elif len(value) < minimum:
            out.append(FieldFault(path, f"must have at least {minimum} item(s)"))
        else:
            for i, element in enumerate(value):
                _check(element, item, f"{path}[{i}]", out)
    elif isinstance(spec, tuple):
        if value not in spec:
            out.append(FieldFault(path, f"must be one of {', '.join(spec)}"))
    elif isinstance(spec, dict):
        if not isinstance(value, dict):
            out.append(FieldFault(path, "must be an object"))
            return
        for name in spec["required"]:
            if name not in value:
                out.append(FieldFault(f"{path}.{name}", "required property is missing"))
        for name, element in value.items():
            if name in spec["props"]:
                _check(element, spec["props"][name], f"{path}.{name}", out)
            elif spec["closed"]:
                out.append(FieldFault(f"{path}.{name}", "unknown property"))


def _validate(doc: Any, schemas: HubSchemas | None) -> list[FieldFault]:
    if not isinstance(doc, dict):
        return [FieldFault("$", "the message must be an object")]
    faults: list[FieldFault] = []
    if schemas is not None:
        faults += _schema_faults(schemas.envelope, doc, "$")
    else:
        _check(doc, _ENVELOPE, "$", faults)
    for name in ("dateTimeSent", "dateTimeExpires"):
        value = doc.get(name)
        if isinstance(value, str) and _parse_datetime(value) is None:
            faults.append(FieldFault(f"$.{name}", "must be a date-time with a UTC offset"))
    content = doc.get("content")
    if isinstance(content, list):
        if len(content) > 1:
            faults.append(FieldFault("$.content", f"{len(content)} content objects: "
                                     "bluelight maps exactly one per message"))
        for i, obj in enumerate(content):
            faults += _content_faults(obj, f"$.content[{i}]", schemas)
    return faults


def _content_faults(obj: Any, path: str, schemas: HubSchemas | None) -> list[FieldFault]:
    json_content = obj.get("jsonContent") if isinstance(obj, dict) else None
    embedded = (json_content.get("embeddedJsonContent")
                if isinstance(json_content, dict) else None)
    if not isinstance(embedded, dict):
        return []  # already a fault of the envelope
    mpath = path + _WRAP
    message = embedded.get("message")
    if not isinstance(message, dict):
        return [FieldFault(mpath, "required: the content must hold a message object")]
    if schemas is not None:
        table: dict[str, tuple[Any | None, bool]] = schemas.contents
    else:
        table = {kind: (None, rcde) for kind, rcde in BUILTIN_CONTENT_KINDS.items()}
    kinds = [name for name in message if name in table]
    faults: list[FieldFault] = []
    if not kinds:
        faults.append(FieldFault(mpath, "no content: the message holds none of the known "
                                 f"content kinds (bluelight maps {', '.join(SUPPORTED_KINDS)})"))
    elif len(kinds) > 1:
        faults.append(FieldFault(mpath, f"more than one content kind ({', '.join(kinds)}); "
                                 "a message holds exactly one"))
    elif kinds[0] not in SUPPORTED_KINDS:
        faults.append(FieldFault(f"{mpath}.{kinds[0]}", f"content kind '{kinds[0]}' is not "
                                 "one bluelight maps"))
    if not kinds or any(table[kind][1] for kind in kinds):
        if schemas is not None and schemas.message is not None:
            faults += _schema_faults(schemas.message, message, mpath)
        else:
            _check(message, _RC_DE, mpath, faults)
    for kind in kinds:
        validator = table[kind][0]
        if validator is not None:
            faults += _schema_faults(validator, message[kind], f"{mpath}.{kind}")
        elif kind in _KIND_SPECS:
            _check(message[kind], _KIND_SPECS[kind], f"{mpath}.{kind}", faults)
    return faults


# ------------------------------------------------------------------------- reading


def _load(data: bytes) -> tuple[dict | Any, str]:
    """The message in its JSON shape, and the media type it came in."""
    if len(data) > MAX_BYTES:
        raise CodecError(FORMAT, f"document is {len(data)} bytes; the limit is {MAX_BYTES}",
                         [FieldFault("(document)", "too large")])
    text = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    first = text.lstrip()[:1]
    if first == b"{":
        try:
            return msgspec.json.decode(text), JSON_MEDIA_TYPE
        except msgspec.DecodeError as exc:
            raise CodecError(FORMAT, f"not valid JSON: {exc}",
                             [FieldFault("(document)", "not valid JSON")]) from None
    if first == b"<":
        return _xml_document(parse(data, FORMAT)), XML_MEDIA_TYPE
    raise CodecError(FORMAT, "neither a JSON object nor an XML document",
                     [FieldFault("(document)", "must start with '{' (JSON) or '<' (XML)")])


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _xml_document(root: etree._Element) -> dict:
    faults: list[FieldFault] = []
    qname = etree.QName(root)
    if qname.namespace != EDXL_NS or qname.localname not in ("edxlDistribution",
                                                             "EDXLDistribution"):
        raise CodecError(FORMAT, "the root element is not an EDXL-DE 2.0 distribution",
                         [FieldFault("(document)", f"root must be edxlDistribution in {EDXL_NS}")])
    doc: dict[str, Any] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = _local(child)
        if name in doc and name != "content":
            faults.append(FieldFault(f"$.{name}", "repeated element"))
            continue
        if name in ("distributionStatus", "distributionKind"):
            doc[name] = _value_list(child)
        elif name == "descriptor":
            doc[name] = _xml_plain(child)
        elif name == "content":
            objects = doc.setdefault("content", [])
            for i, obj in enumerate(c for c in child if isinstance(c.tag, str)):
                objects.append(_xml_content_object(obj, f"$.content[{i}]", faults))
        else:
            doc[name] = _xml_plain(child)
    if faults:
        raise CodecError(FORMAT, _summary(faults), faults)
    return doc


def _value_list(element: etree._Element) -> str:
    for child in element:
        if isinstance(child.tag, str) and _local(child) in (
                "StatusKindDefault", "DistributionKindDefault", "value", "Value"):
            return child.text or ""
    return element.text or ""


def _xml_plain(element: etree._Element) -> Any:
    """An envelope element: text, or an object of its children (last one wins)."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return element.text or ""
    return {_local(c): _xml_plain(c) for c in children}


def _xml_content_object(obj: etree._Element, path: str, faults: list[FieldFault]) -> Any:
    if _local(obj) != "contentObject":
        return {_local(obj): _xml_plain(obj)}
    out: dict[str, Any] = {}
    for child in obj:
        if not isinstance(child.tag, str):
            continue
        name = _local(child)
        if name == "jsonContent":
            inner = [c for c in child if isinstance(c.tag, str)]
            if inner and _local(inner[0]) == "embeddedJsonContent":
                embedded = _json_text(inner[0].text, f"{path}.jsonContent.embeddedJsonContent",
                                      faults)
                out["jsonContent"] = {"embeddedJsonContent": embedded}
            else:
                out["jsonContent"] = _json_text(child.text, f"{path}.jsonContent", faults)
        elif name in ("xmlContent", "contentXML"):
            embedded_elements = [c for c in child if isinstance(c.tag, str)
                                 and _local(c) == "embeddedXMLContent"]
            embedded: dict[str, Any] = {}
            for holder in embedded_elements[:1]:
                for item in holder:
                    if isinstance(item.tag, str):
                        key = _local(item)
                        embedded[key] = (_xml_message(item) if key == "message"
                                         else _xml_plain(item))
            if len(embedded_elements) > 1:
                faults.append(FieldFault(f"{path}.{name}", "more than one embeddedXMLContent"))
            out["jsonContent"] = {"embeddedJsonContent": embedded}
        else:
            out[name] = _xml_plain(child)
    return out


def _json_text(text: str | None, path: str, faults: list[FieldFault]) -> Any:
    try:
        return msgspec.json.decode((text or "").strip().encode())
    except msgspec.DecodeError:
        faults.append(FieldFault(path, "not valid JSON"))
        return {}


def _alerts(*suffixes: str) -> set[str]:
    return {f"createCase.{alert}.{s}" for alert in ("initialAlert", "newAlert")
            for s in suffixes}


_LOCATION_ARRAYS = ("location.access.accessCode", "location.externalInfo",
                    "location.externalLocationId")
_COORDS = tuple(f"location.geometry.point.coord.{c}"
                for c in ("lat", "lon", "height", "heading", "speed"))
_ARRAYS = (
    {"recipient", "createCase.freetext", "createCase.newAlert",
     "createCase.additionalInformation.customMap", "createCase.qualification.riskThreat"}
    | {f"createCase.{s}" for s in _LOCATION_ARRAYS}
    | _alerts("attachment", "notes", "qualification.riskThreat", *_LOCATION_ARRAYS)
    | {f"emsi.{s}" for s in (
        "CONTEXT.EXTERNAL_INFO", "CONTEXT.LINK", "EVENT.CASUALTIES", "EVENT.EGEO",
        "EVENT.EGEO.POSITION.ADDRESS", "EVENT.EGEO.POSITION.COORD", "EVENT.EGEO.WEATHER",
        "EVENT.ETYPE.ACTOR", "EVENT.ETYPE.CATEGORY", "EVENT.ETYPE.LOCTYPE", "EVENT.EVAC",
        "EVENT.REFERENCE", "EVENT.REFERENCE.OTHER_EVENT_ID", "MISSION",
        "MISSION.CHILD_MISSION_ID", "MISSION.PARENT_MISSION_ID", "MISSION.POSITION.ADDRESS",
        "MISSION.POSITION.COORD", "MISSION.RESOURCE_ID", "RESOURCE", "RESOURCE.CONTACTS",
        "RESOURCE.RGEO", "RESOURCE.RGEO.POSITION", "RESOURCE.RGEO.POSITION.ADDRESS",
        "RESOURCE.RGEO.POSITION.COORD", "RESOURCE.RTYPE.CAPABILITY",
        "RESOURCE.RTYPE.CHARACTERISTICS", "RESOURCE.RTYPE.RCLASS")}
)
_NUMBERS = (
    {f"createCase.{c}" for c in _COORDS} | _alerts(*_COORDS) | {"error.errorCode.statusCode"}
    | {f"emsi.{p}.POSITION.COORD.{c}" for p in ("EVENT.EGEO", "MISSION", "RESOURCE.RGEO")
       for c in ("LAT", "LONG", "HEIGHT")} | {"emsi.RESOURCE.QUANTITY"}
)
_INTEGERS = (
    _alerts("attachment.size") | {"emsi.EVENT.CERTAINTY"}
    | {f"emsi.EVENT.CASUALTIES.{c}" for c in ("DECONT", "TRIAGERED", "TRIAGEYELLOW",
                                               "TRIAGEGREEN", "TRIAGEBLACK", "MISSING")}
    | {"emsi.EVENT.EVAC.DISPLACED", "emsi.EVENT.EVAC.EVACUATED"}
)
_BOOLEANS = {"reference.refused"}


def _xml_message(element: etree._Element, path: str = "") -> Any:
    """A CISU message element in its JSON shape (arrays and scalar types by path)."""
    children = [c for c in element if isinstance(c.tag, str)]
    if not children:
        return _xml_scalar(element.text or "", path)
    out: dict[str, Any] = {}
    for child in children:
        name = _local(child)
        if path == "" and name == "recipients":
            out.setdefault("recipient", []).extend(
                _xml_message(c, "recipient") for c in child if isinstance(c.tag, str))
            continue
        child_path = f"{path}.{name}" if path else name
        value = _xml_message(child, child_path)
        if child_path in _ARRAYS:
            out.setdefault(name, []).append(value)
        elif name in out:  # repeated where the schema has no array: keep all, let it fail
            previous = out[name]
            out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[name] = value
    return out


def _xml_scalar(text: str, path: str) -> Any:
    try:
        if path in _INTEGERS:
            return int(text)
        if path in _NUMBERS:
            return float(text)
    except ValueError:
        return text
    if path in _BOOLEANS and text in ("true", "false", "1", "0"):
        return text in ("true", "1")
    return text


# ----------------------------------------------------------------------- decoding


def decode(data: bytes, *, schema_dir: Path | None = None) -> Translation:
    """An EDXL-DE message (JSON or XML) as a native message, and what it could not carry."""
    doc, media_type = _load(data)
    directory = schema_dir if schema_dir is not None else DEFAULT_SCHEMA_DIR
    schemas = load_schemas(Path(directory).resolve()) if directory is not None else None
    faults = _validate(doc, schemas)
    if faults:
        raise CodecError(FORMAT, _summary(faults), faults)
    native, losses = _Decoder(doc).run()
    return Translation(native=native, media_type=media_type, losses=losses)


def _summary(faults: list[FieldFault]) -> str:
    head = "; ".join(f"{f.field}: {f.fault}" for f in faults[:5])
    more = f" (and {len(faults) - 5} more)" if len(faults) > 5 else ""
    return f"invalid EDXL-DE message, {len(faults)} fault(s): {head}{more}"


class _Node:
    """A JSON object being mapped. Reading a member marks it used; what is never used is
    reported lost. `path` is the loss path (no indices), `jpath` the JSON path for faults."""

    def __init__(self, data: dict, path: str, jpath: str, used: set[str]):
        self.data, self.path, self.jpath, self.used = data, path, jpath, used

    def peek(self, key: str) -> Any:
        return self.data.get(key)

    def use(self, *keys: str) -> None:
        for key in keys:
            if key in self.data:
                self.used.add(f"{self.path}.{key}")

    def str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or isinstance(value, (dict, list)):
            return None
        self.use(key)
        return value if isinstance(value, str) else str(value)

    def num(self, key: str) -> float | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        self.use(key)
        return value

    def node(self, key: str) -> _Node | None:
        value = self.data.get(key)
        if not isinstance(value, dict):
            return None
        return _Node(value, f"{self.path}.{key}", f"{self.jpath}.{key}", self.used)

    def nodes(self, key: str) -> list[_Node]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        return [_Node(v, f"{self.path}.{key}", f"{self.jpath}.{key}[{i}]", self.used)
                for i, v in enumerate(value) if isinstance(v, dict)]

    def strs(self, key: str) -> list[str]:
        value = self.data.get(key)
        if not isinstance(value, list):
            return []
        self.use(key)
        return [v for v in value if isinstance(v, str)]


def _unused(value: Any, path: str, used: set[str], out: list[str]) -> None:
    if path in used:
        return
    if isinstance(value, dict):
        prefix = path + "."
        if not any(u.startswith(prefix) for u in used):
            out.append(path)
            return
        for key, element in value.items():
            _unused(element, f"{path}.{key}", used, out)
    elif isinstance(value, list):
        for element in value:
            _unused(element, path, used, out)
    else:
        out.append(path)


class _Decoder:
    def __init__(self, doc: dict):
        self.doc = doc
        self.used: set[str] = set()
        self.losses: list[str] = []
        self.faults: list[FieldFault] = []

    def fault(self, field: str, fault: str) -> None:
        self.faults.append(FieldFault(field, fault))

    def raise_faults(self) -> None:
        if self.faults:
            raise CodecError(FORMAT, _summary(self.faults), self.faults)

    def run(self) -> tuple[Native, list[str]]:
        doc = self.doc
        if doc["distributionStatus"] != "Actual":
            raise CodecError(FORMAT, "exercise messages are not accepted", [FieldFault(
                "$.distributionStatus", f"'{doc['distributionStatus']}' is not accepted: "
                "bluelight has no exercise flag, only Actual messages are mapped")])
        self.sender = doc["senderID"]
        self.sent_at = _parse_datetime(doc["dateTimeSent"])
        self.message_id = doc["distributionID"]
        address = doc["descriptor"]["explicitAddress"]
        self.recipients = [address["explicitAddressValue"]]
        if address["explicitAddressScheme"] != HUB_SCHEME:
            self.losses.append("descriptor.explicitAddress.explicitAddressScheme")
        self.losses += ["dateTimeExpires", "descriptor.language"]
        message = _Node(doc["content"][0]["jsonContent"]["embeddedJsonContent"]["message"],
                        _MSG, "$.content[0]" + _WRAP, self.used)
        self._header(message)
        kind = next(k for k in SUPPORTED_KINDS if k in message.data)
        mappers = {"createCase": self._create_case, "emsi": self._emsi,
                   "reference": self._acknowledgement, "error": self._error}
        native = mappers[kind](message.node(kind))
        self.raise_faults()
        _unused(message.data, _MSG, self.used, self.losses)
        native = msgspec.structs.replace(native, message_id=self.message_id,
                                         sender=self.sender, sent_at=self.sent_at,
                                         recipients=self.recipients)
        return native, list(dict.fromkeys(self.losses))

    def _header(self, message: _Node) -> None:
        if message.peek("messageId") == self.message_id:
            message.use("messageId")
        sender = message.node("sender")
        if sender is not None:
            sender.use("name")
            if sender.peek("URI") in (f"{HUB_SCHEME}:{self.sender}", self.sender):
                sender.use("URI")
        sent = message.peek("sentAt")
        if isinstance(sent, str) and _parse_datetime(sent) == self.sent_at:
            message.use("sentAt")
        message.use("kind", "status")
        for recipient in message.nodes("recipient"):
            recipient.use("name")
            uri = recipient.str("URI")
            if uri:
                identifier = uri.removeprefix(f"{HUB_SCHEME}:")
                if identifier not in self.recipients:
                    self.recipients.append(identifier)

    # ---- references and times

    def _reference(self, node: _Node, shared_key: str, local_key: str) -> str | None:
        shared, local = node.peek(shared_key), node.peek(local_key)
        shared = shared if isinstance(shared, str) and shared else None
        local = local if isinstance(local, str) and local else None
        if local and _REFERENCE.match(local) and shared == _case_id(local, self.sender):
            node.use(shared_key, local_key)
            return local
        if shared:
            node.use(shared_key)
            mine = f"{self.sender}."
            rest = shared[len(mine):] if shared.startswith(mine) else None
            if (local is None and rest and _REFERENCE.match(rest)
                    and _case_id(rest, self.sender) == shared):
                return rest
            reference = _as_reference(shared)
            if reference != shared:
                self.losses.append(f"{node.path}.{shared_key}")
            return reference
        if local:
            node.use(local_key)
            reference = _as_reference(local)
            if reference != local:
                self.losses.append(f"{node.path}.{local_key}")
            return reference
        self.fault(f"{node.jpath}.{shared_key}", "required: the case has no id")
        return None

    def _time(self, node: _Node | None, key: str) -> datetime | None:
        if node is None or node.peek(key) is None:
            return None
        value = node.peek(key)
        parsed = _parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            self.fault(f"{node.jpath}.{key}", "must be a date-time with a UTC offset")
            return None
        node.use(key)
        return parsed

    def _coordinates(self, node: _Node | None, lat_key: str, lon_key: str
                     ) -> tuple[float | None, float | None]:
        if node is None:
            return None, None
        lat, lon = node.num(lat_key), node.num(lon_key)
        if lat is not None and not -90 <= lat <= 90:
            self.fault(f"{node.jpath}.{lat_key}", "latitude must be within -90..90")
        if lon is not None and not -180 <= lon <= 180:
            self.fault(f"{node.jpath}.{lon_key}", "longitude must be within -180..180")
        return lat, lon

    def _text(self, text: str | None, limit: int, path: str) -> str | None:
        if text is not None and len(text) > limit:
            self.losses.append(path)
            return text[:limit]
        return text

    def _incident(self, path: str, **fields: Any) -> Incident | None:
        self.raise_faults()
        try:
            return msgspec.convert(fields, Incident, from_attributes=True)
        except msgspec.ValidationError as exc:
            raise CodecError(FORMAT, f"the message does not make a valid incident: {exc}",
                             [FieldFault(path, str(exc))]) from None

    # ---- createCase (RC-EDA)

    def _create_case(self, case: _Node) -> Native:
        reference = self._reference(case, "caseId", "senderCaseId")
        created_at = self._time(case, "creation")
        qualification = case.node("qualification")
        alert = case.node("initialAlert")
        notes = [t for t in case.strs("freetext") if t]

        what = qualification.node("whatsHappen") if qualification else None
        code = what.str("code") if what else None
        label = what.str("label") if what else None
        incident_type = _cisu_type(code) or _label_type(label)
        if incident_type is None and qualification and qualification.peek("healthMotive"):
            incident_type = IncidentType.MEDICAL
        if incident_type in (None, IncidentType.OTHER):
            incident_type = IncidentType.OTHER
            if what is not None:
                self.losses.append(f"{what.path}.code")
        summary = label or code or f"Case {reference}"
        hazards, extra_notes, casualties = self._qualification(qualification)

        location = self._case_location(case.node("location"), qualification)
        priority = Priority.URGENT
        caller = None
        if alert is not None:
            reporting = alert.str("reporting")
            if reporting == "ATTENTION":
                priority = Priority.EMERGENCY
            caller = self._caller(alert.node("caller"))
            for sub in ("location", "qualification"):
                if alert.peek(sub) is not None and alert.peek(sub) == case.peek(sub):
                    alert.use(sub)
            for note in alert.nodes("notes"):
                text = note.str("freetext")
                if text:
                    notes.append(text)
        notes += extra_notes
        info = case.node("additionalInformation")
        for entry in info.nodes("customMap") if info else []:
            key, value = entry.str("key"), entry.str("value")
            label_text, free = entry.str("label"), entry.str("freetext")
            line = f"{key}{f' ({label_text})' if label_text else ''}: {value}"
            notes.append(f"{line} - {free}" if free else line)

        incident = self._incident(
            case.jpath, reference=reference, type=incident_type, priority=priority,
            summary=self._text(summary, 500, f"{what.path if what else case.path}.label"),
            location=location, created_at=created_at,
            notes=self._text("\n".join(notes), 10_000, f"{case.path}.freetext") or "",
            hazards=hazards, casualties=casualties, caller=caller)
        kind = self.doc["distributionKind"]
        if kind == "Report":
            return Native(kind="incident", reference=reference, incident=incident)
        if kind == "Update":
            update = IncidentUpdate(
                text=incident.notes or f"Case updated: {incident.summary}",
                priority=incident.priority, summary=incident.summary,
                location=incident.location, hazards=incident.hazards,
                casualties=incident.casualties)
            return Native(kind="update", reference=reference, incident=incident,
                          update=update)
        if kind == "Cancel":
            return Native(kind="cancellation", reference=reference,
                          reason=incident.notes or "Case cancelled by the sender")
        raise CodecError(FORMAT, "distributionKind does not fit the content", [FieldFault(
            "$.distributionKind", f"'{kind}' does not fit createCase (Report, Update or "
            "Cancel)")])

    def _qualification(self, qualification: _Node | None
                       ) -> tuple[list[str], list[str], list[CasualtyCount]]:
        hazards: list[str] = []
        notes: list[str] = []
        casualties: list[CasualtyCount] = []
        if qualification is None:
            return hazards, notes, casualties
        for risk in qualification.nodes("riskThreat"):
            risk.use("code")
            text = risk.str("label")
            if text:
                hazards.append(self._text(text, 200, f"{risk.path}.label") or text)
        if len(hazards) > 50:
            self.losses.append(f"{qualification.path}.riskThreat")
            hazards = hazards[:50]
        motive = qualification.node("healthMotive")
        if motive is not None:
            code, label = motive.str("code"), motive.str("label")
            notes.append(f"Health motive: {label or ''}{f' ({code})' if code else ''}".strip())
        victims = qualification.node("victims")
        if victims is not None:
            count = victims.str("count")
            if count is not None:
                casualties = _victim_casualties(count)
                if count not in ("0", "1"):
                    self.losses.append(f"{victims.path}.count")
            main, free = victims.str("mainVictim"), victims.str("freetext")
            parts = [f"main victim {_VICTIMS.get(main, main)}" if main else None, free]
            if any(parts):
                notes.append("Victims: " + "; ".join(p for p in parts if p))
        return hazards, notes, casualties

    def _case_location(self, loc: _Node | None, qualification: _Node | None) -> Location:
        if loc is None:
            return Location()
        geometry = loc.node("geometry")
        point = geometry.node("point") if geometry else None
        lat, lon = self._coordinates(point.node("coord") if point else None, "lat", "lon")
        street = None
        detailed = loc.node("detailedAddress")
        if detailed is not None:
            complete, number = detailed.str("complete"), detailed.str("number")
            detailed.use("wayName")  # a structured restatement of `complete`
            street = complete
            if number and not (complete or "").startswith(number):
                street = f"{number} {complete or ''}".strip()
        city = loc.node("city")
        city_name = city.str("name") if city else None
        address = ", ".join(p for p in (street, city_name) if p) or None
        label = loc.str("locLabel")
        if address is None:
            address, label = label, None
        access = loc.node("access")
        access_text = None
        if access is not None:
            parts = [f"{name} {access.str(key)}" for key, name in _ACCESS
                     if access.str(key)]
            codes = access.strs("accessCode")
            if codes:
                parts.append("access code " + ", ".join(codes))
            access_text = "; ".join(parts) or None
        kind = qualification.node("locationKind") if qualification else None
        kind_label = kind.str("label") if kind else None
        if kind is not None:
            kind.use("code")
        description = " - ".join(p for p in (loc.str("name"), label, loc.str("freetext"),
                                             access_text, kind_label) if p) or None
        return Location(lat=lat, lon=lon,
                        address=self._text(address, 500, f"{loc.path}.detailedAddress"),
                        description=self._text(description, 500, f"{loc.path}.freetext"))

    def _caller(self, caller: _Node | None) -> CallerContact | None:
        if caller is None:
            return None
        name = None
        detailed = caller.node("detailedName")
        if detailed is not None:
            name = detailed.str("complete")
            if name:
                detailed.use("firstName", "lastName")
        phone = None
        callback, contact = caller.node("callbackContact"), caller.node("callerContact")
        for source in (callback, contact):
            if source is not None and source.peek("type") == "TEL" and source.peek("detail"):
                if phone is None:
                    phone = source.str("detail")
                    source.use("type", "channel")
                elif source.peek("detail") == phone:
                    source.use("type", "channel", "detail")
        if phone is not None and len(phone) > 40:
            self.losses.append(f"{caller.path}.callerContact.detail")
            phone = None
        notes = self._text(caller.str("freetext"), 500, f"{caller.path}.freetext")
        if not (name or phone or notes):
            return None
        return CallerContact(name=self._text(name, 500, f"{caller.path}.detailedName"),
                             phone=phone or None, notes=notes or None)

    # ---- EMSI

    def _emsi(self, emsi: _Node) -> Native:
        context, event = emsi.node("CONTEXT"), emsi.node("EVENT")
        mode = context.str("MODE")
        if mode != "ACTUAL":
            raise CodecError(FORMAT, "exercise messages are not accepted", [FieldFault(
                f"{context.jpath}.MODE", f"'{mode}' is not accepted: only ACTUAL EMSI "
                "messages are mapped")])
        msgtype = context.str("MSGTYPE")
        freetexts = [t for t in (context.str("FREETEXT"), event.str("FREETEXT")) if t]
        notes = "\n".join(freetexts)
        if msgtype in ("ACK", "ERROR"):
            links = context.nodes("LINK")
            target = links[0].str("ID") if links else None
            if not target:
                self.fault(f"{context.jpath}.LINK", f"an EMSI {msgtype} must link the message "
                           "it answers")
                self.raise_faults()
            reason = (notes or "error reported") if msgtype == "ERROR" else None
            return Native(kind="acknowledgement", acknowledges=target, reason=reason)
        reference = self._reference(event, "MAIN_EVENT_ID", "ID")
        if msgtype == "CANCEL":
            self.raise_faults()
            return Native(kind="cancellation", reference=reference,
                          reason=notes or "Cancelled by the sender")
        status = event.peek("STATUS")
        if msgtype == "UPDATE" and status in ("COM", "STOP"):
            event.use("STATUS")
            self.raise_faults()
            outcome = context.str("FREETEXT") or ("Event complete" if status == "COM"
                                                  else "Event stopped")
            return Native(kind="closure", reference=reference, closure=Closure(
                outcome=outcome[:1000], text=(event.str("FREETEXT") or None)))

        urgency = context.str("URGENCY")
        priority = {"URGENT": Priority.EMERGENCY, "NOT_URGENT": Priority.ROUTINE}.get(
            urgency or "")
        etype = event.node("ETYPE")
        incident_type = _emsi_type(etype)
        if incident_type is None:
            incident_type = IncidentType.OTHER
            if etype is not None:
                self.losses.append(f"{etype.path}.CATEGORY")
        name = event.str("NAME")
        summary = name or f"EMSI event {event.peek('ID')}"
        location = self._emsi_location(event)
        casualties = self._emsi_casualties(event)
        resources = self._missions(emsi)
        created_at = (self._time(event, "DECL_DATIME") or self._time(context, "CREATION")
                      or self.sent_at)
        incident = self._incident(
            event.jpath, reference=reference, type=incident_type,
            priority=priority or Priority.URGENT,
            summary=self._text(summary, 500, f"{event.path}.NAME"),
            location=location or Location(), created_at=created_at,
            notes=self._text(notes, 10_000, f"{context.path}.FREETEXT") or "",
            casualties=casualties or [], resources_requested=resources or [])
        if msgtype == "ALERT":
            return Native(kind="incident", reference=reference, incident=incident)
        update = IncidentUpdate(
            text=incident.notes or f"Update: {incident.summary}", priority=priority,
            summary=incident.summary if name else None, location=location,
            casualties=casualties, resources_requested=resources)
        return Native(kind="update", reference=reference, incident=incident, update=update)

    def _emsi_location(self, event: _Node) -> Location | None:
        geos = [g for g in event.nodes("EGEO") if g.node("POSITION") is not None]
        if not geos:
            return None
        if len(event.nodes("EGEO")) > 1:
            self.losses.append(f"{event.path}.EGEO")
        position = geos[0].node("POSITION")
        lat = lon = None
        coords = position.nodes("COORD")
        system = position.peek("COORDSYS")
        if coords and system in (None, "EPSG-4326", "EPSG:4326", "WGS84"):
            position.use("COORDSYS")
            lat, lon = self._coordinates(coords[0], "LAT", "LONG")
            if len(coords) > 1:
                self.losses.append(f"{position.path}.COORD")
        addresses = [a for a in position.strs("ADDRESS") if a and a != "None"]
        address = "; ".join(addresses) or None
        description = position.str("NAME")
        return Location(lat=lat, lon=lon,
                        address=self._text(address, 500, f"{position.path}.ADDRESS"),
                        description=self._text(description, 500, f"{position.path}.NAME"))

    def _emsi_casualties(self, event: _Node) -> list[CasualtyCount] | None:
        reports = event.nodes("CASUALTIES")
        if not reports:
            return None
        if len(reports) > 1:
            self.losses.append(f"{event.path}.CASUALTIES")  # earlier reports
        report = reports[-1]
        counts: dict[Severity, int] = {}
        for key, severity in _TRIAGE:
            value = report.peek(key)
            if isinstance(value, int) and not isinstance(value, bool):
                if value > 0:
                    counts[severity] = counts.get(severity, 0) + value
                report.use(key)
        if (report.peek("TRIAGEYELLOW") or 0) > 0:
            self.losses.append(f"{report.path}.TRIAGEYELLOW")  # merged into serious
        if report.peek("DECONT") == 0:
            report.use("DECONT")
        return [CasualtyCount(severity=s, count=min(c, 100_000)) for s, c in counts.items()]

    def _missions(self, emsi: _Node) -> list[ResourceRequest] | None:
        missions = emsi.nodes("MISSION")
        requests = []
        for mission in missions:
            name = mission.peek("NAME")
            if isinstance(name, str) and name.upper().startswith("#DEMANDE_CONCOURS#"):
                kind = mission.str("TYPE") or "assistance"
                mission.use("NAME")
                note = mission.str("FREETEXT")
                requests.append(ResourceRequest(kind=kind[:200],
                                                note=note[:500] if note else None))
        if missions and len(requests) < len(missions):
            self.losses.append(f"{emsi.path}.MISSION")
        return requests[:50] or None

    # ---- RC-REF and RS-ERROR

    def _acknowledgement(self, ref: _Node) -> Native:
        target = ref.str("distributionID")
        parts = []
        if ref.peek("refused") is True:
            parts.append("refused")
        ref.use("refused")
        if ref.peek("step") == "ERREUR":
            parts.append("error while integrating the message")
            ref.use("step")
        error_id = ref.str("errorDistributionID")
        if error_id:
            parts.append(f"see error message {error_id}")
        return Native(kind="acknowledgement", acknowledges=target,
                      reason="; ".join(parts) or None)

    def _error(self, error: _Node) -> Native:
        target = error.str("referencedDistributionID")
        code = error.node("errorCode")
        status_code = code.num("statusCode") if code else None
        status = code.str("statusString") if code else None
        cause = error.str("errorCause")
        if isinstance(status_code, float) and status_code.is_integer():
            status_code = int(status_code)
        reason = f"error {status_code} {status or ''}".strip() + (f": {cause}" if cause else "")
        return Native(kind="acknowledgement", acknowledges=target, reason=reason)


_VICTIMS = {"NOURRISSON": "infant", "ENFANT": "child", "ADULTE": "adult",
            "SENIOR": "elderly person", "ENCEINTE": "pregnant woman"}
_ACCESS = (("buildingName", "building"), ("entrance", "entrance"), ("floor", "floor"),
           ("roomNumber", "room"), ("interphone", "intercom"), ("elevator", "lift"),
           ("entity", "entity"), ("phoneNumber", "phone"))
_TRIAGE = (("TRIAGERED", Severity.SERIOUS), ("TRIAGEYELLOW", Severity.SERIOUS),
           ("TRIAGEGREEN", Severity.MINOR), ("TRIAGEBLACK", Severity.FATAL),
           ("MISSING", Severity.UNKNOWN))


def _victim_casualties(count: str) -> list[CasualtyCount]:
    """CISU victim-count bands as native casualties (lower bounds; severity unknown)."""
    number = {"1": 1, "PLUSIEURS": 2, "BEAUCOUP": 10}.get(count)
    return [CasualtyCount(severity=Severity.UNKNOWN, count=number)] if number else []


# ------------------------------------------------------------------ incident types

T = IncidentType
# CISU "what happens" codes (Cnn.nn.nn). Exact codes first, then the longest prefix.
_CISU_EXACT = {"C11.00.00": T.OTHER, "C07.02.03": T.FIRE}
_CISU_PREFIXES = {
    "C01.01": T.ROAD_TRAFFIC_COLLISION, "C01.06": T.ROAD_TRAFFIC_COLLISION,
    "C02.10": T.FLOOD_WATER_RESCUE, "C02.11": T.FLOOD_WATER_RESCUE,
    "C02.12": T.CONCERN_FOR_WELFARE, "C02.15": T.POLICE_ASSISTANCE,
    "C02.19": T.POLICE_ASSISTANCE, "C02": T.MEDICAL, "C04": T.FIRE,
    "C06": T.POLICE_ASSISTANCE, "C07": T.POLICE_ASSISTANCE,
    "C08.01": T.FLOOD_WATER_RESCUE, "C08.08": T.HAZARDOUS_MATERIALS,
    "C09.03": T.HAZARDOUS_MATERIALS, "C09.04": T.HAZARDOUS_MATERIALS,
    "C11.02": T.MEDICAL, "C11.08": T.HAZARDOUS_MATERIALS,
}
# The code encode writes for each type; each decodes back to the same type.
_CISU_CODES = {
    T.ROAD_TRAFFIC_COLLISION: ("C01.01.00", "Accident routier"),
    T.FIRE: ("C04.00.00", "Incendie"),
    T.MEDICAL: ("C02.05.00", "Pathologie / maladie"),
    T.FLOOD_WATER_RESCUE: ("C02.11.00", "Personne dans l'eau / noyade"),
    T.HAZARDOUS_MATERIALS: ("C08.08.00", "Pollution / matières dangereuses"),
    T.CONCERN_FOR_WELFARE: ("C02.12.00", "Personne bloquée / enfermée"),
    T.POLICE_ASSISTANCE: ("C06.00.00", "Atteinte à l'ordre public"),
}
_OTHER_CODE = "C11.00.00"
# Words in a label (accents removed, lower case), when the code is not in the table.
_LABEL_WORDS = (
    (T.ROAD_TRAFFIC_COLLISION, r"accident (de la route|routier|de la circulation)|collision"
                               r"|carambolage|road traffic"),
    (T.FIRE, r"incendie|\bfeux?\b|\bfire\b|flamme|fumee"),
    (T.HAZARDOUS_MATERIALS, r"\bgaz\b|\bgas\b|toxique|chimique|nrbc|hazmat|matieres? dangereuses"
                            r"|pollution|radioacti|explosi"),
    (T.FLOOD_WATER_RESCUE, r"noyade|inondation|\bflood|water rescue|dans l'eau"),
    (T.MEDICAL, r"malaise|douleur|enceinte|obstetri|accouchement|detresse|arret cardiaque"
                r"|inconscien|medical|cardiaque|respiratoire|\bavc\b|blesse"),
    (T.ANIMAL, r"\banima(l|ux)\b"),
    (T.CONCERN_FOR_WELFARE, r"personne (bloquee|enfermee)|welfare|ouverture de porte"),
    (T.POLICE_ASSISTANCE, r"\brixe\b|agression|violence|police|cambriolage"),
)
# EMSI EVENT.ETYPE.CATEGORY, by prefix in this order; ACTOR ANI* makes an animal incident.
_EMSI_TYPES = (
    ("FIR", T.FIRE), ("EXP", T.HAZARDOUS_MATERIALS), ("POL", T.HAZARDOUS_MATERIALS),
    ("ASR/ATM", T.HAZARDOUS_MATERIALS), ("FLD", T.FLOOD_WATER_RESCUE),
    ("ASR/WAT", T.FLOOD_WATER_RESCUE), ("ASR/ICE", T.FLOOD_WATER_RESCUE),
    ("ASR/MAR", T.FLOOD_WATER_RESCUE), ("HLT", T.MEDICAL),
    ("TRP/COL", T.ROAD_TRAFFIC_COLLISION), ("TRP/CRS", T.ROAD_TRAFFIC_COLLISION),
    ("PSW/MEV", T.MAJOR_INCIDENT), ("PSW/MIS", T.CONCERN_FOR_WELFARE),
    ("PSW/RIOT", T.POLICE_ASSISTANCE), ("PSW/DEM", T.POLICE_ASSISTANCE),
    ("PSW/PRO", T.POLICE_ASSISTANCE), ("PSW/PRSUIT", T.POLICE_ASSISTANCE),
    ("PSW/SUS", T.POLICE_ASSISTANCE), ("PSW/PKG", T.POLICE_ASSISTANCE),
    ("ASB", T.POLICE_ASSISTANCE),
)
_EMSI_CATEGORIES = {
    T.FIRE: "FIR", T.HAZARDOUS_MATERIALS: "POL", T.FLOOD_WATER_RESCUE: "FLD",
    T.MEDICAL: "HLT", T.ROAD_TRAFFIC_COLLISION: "TRP/COL", T.MAJOR_INCIDENT: "PSW/MEV",
    T.CONCERN_FOR_WELFARE: "PSW/MIS", T.POLICE_ASSISTANCE: "PSW/SUS", T.ANIMAL: "ASR",
}


def _cisu_type(code: str | None) -> IncidentType | None:
    if not code:
        return None
    if code in _CISU_EXACT:
        return _CISU_EXACT[code]
    for prefix in sorted(_CISU_PREFIXES, key=len, reverse=True):
        if code.startswith(prefix):
            return _CISU_PREFIXES[prefix]
    return None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _label_type(label: str | None) -> IncidentType | None:
    if not label:
        return None
    folded = _fold(label)
    for incident_type, pattern in _LABEL_WORDS:
        if re.search(pattern, folded):
            return incident_type
    return None


def _emsi_type(etype: _Node | None) -> IncidentType | None:
    if etype is None:
        return None
    categories = etype.strs("CATEGORY")
    for category in categories:
        for prefix, incident_type in _EMSI_TYPES:
            if category == prefix or category.startswith(prefix + "/"):
                return incident_type
    actors = etype.peek("ACTOR")
    if isinstance(actors, list) and any(isinstance(a, str) and a.startswith("ANI")
                                        for a in actors):
        etype.use("ACTOR")
        return T.ANIMAL
    return None


_RISK_WORDS = (("R12", r"incendie|\bfeux?\b|fire|flamme|burn"),
               ("R13", r"\bgaz\b|\bgas\b|explosi|\blpg\b|\bgpl\b"))


def risk_code(hazard: str) -> str | None:
    """The CISU risk code a native hazard is written with (R12 fire, R13 gas or explosion,
    by its words, accents ignored), or None: such a hazard is not carried."""
    folded = _fold(hazard)
    for code, pattern in _RISK_WORDS:
        if re.search(pattern, folded):
            return code
    return None


# ------------------------------------------------------------ ids, references, times


def _as_reference(value: str) -> str:
    """A foreign case id made to fit the native Reference pattern."""
    cleaned = re.sub(r"[^A-Za-z0-9._:-]", "-", value.strip())
    if not cleaned or not re.match(r"[A-Za-z0-9]", cleaned):
        cleaned = "R" + cleaned
    if len(cleaned) > 64:
        digest = hashlib.sha256(value.encode()).hexdigest()[:8]
        cleaned = f"{cleaned[:55]}-{digest}"
    return cleaned


def _is_shared_case_id(value: str) -> bool:
    parts = value.split(".")
    return 4 <= len(parts) <= 10 and all(_CASE_PART.match(p) for p in parts)


def _case_id(reference: str, sender: str | None) -> str:
    """CISU's shared case id for a sender's own reference (see "References")."""
    if _is_shared_case_id(reference) and not (sender and reference.startswith(sender + ".")):
        return reference
    parts = [re.sub(r"[^A-Za-z0-9_-]", "_", p) for p in (sender or "").split(".") if p]
    prefix = ".".join(parts[:9]) or "uk.bluelight.hub"
    return f"{prefix}.{re.sub(r'[^A-Za-z0-9_-]', '_', reference)}"


def _parse_datetime(value: str) -> datetime | None:
    if not _DATETIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _format_datetime(value: datetime) -> str:
    """Whole seconds with a +hh:mm offset; UTC as "-00:00", as the hub asks."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    offset = value.utcoffset() or timedelta(0)
    if offset % timedelta(minutes=1):
        value = value.astimezone(UTC)
    text = value.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def _party(identifier: str) -> dict[str, str]:
    return {"name": identifier.rsplit(".", 1)[-1], "URI": f"{HUB_SCHEME}:{identifier}"}


def _country(location: Location) -> str:
    """The country of the location: FR inside a rough box round mainland France (Dover
    Strait split at 1.6 E), else GB (bluelight's own)."""
    if location.uprn or location.easting is not None or location.lat is None \
            or location.lon is None:
        return "GB"
    lat, lon = location.lat, location.lon
    in_france = 41.3 <= lat <= 51.1 and -5.2 <= lon <= 9.6
    if in_france and not (lat > 49.95 and lon < 1.6):
        return "FR"
    return "GB"


# ----------------------------------------------------------------------- encoding


def encode(native: Native, *, form: str = "json") -> Translation:
    """A native message as an EDXL-DE message in the hub's JSON (or XML) form."""
    if form not in ("json", "xml"):
        raise CodecError(FORMAT, f"unknown form {form!r}",
                         [FieldFault("form", "must be 'json' or 'xml'")])
    encoder = _Encoder(native)
    doc = encoder.document()
    if form == "json":
        data = json.dumps(doc, ensure_ascii=False, indent=2).encode()
        media_type = JSON_MEDIA_TYPE
    else:
        data = _to_xml(doc)
        media_type = XML_MEDIA_TYPE
    return Translation(data=data, media_type=media_type,
                       losses=list(dict.fromkeys(encoder.losses)))


class _Encoder:
    def __init__(self, native: Native):
        self.native = native
        self.losses: list[str] = special.uncarried(native.incident)

    def fail(self, field: str, fault: str) -> CodecError:
        return CodecError(FORMAT, f"{field}: {fault}", [FieldFault(field, fault)])

    def document(self) -> dict:
        native = self.native
        if not native.sender:
            raise self.fail("sender", "required: EDXL-DE needs a senderID")
        if not native.recipients:
            raise self.fail("recipients", "required: EDXL-DE needs an explicit address")
        recipients = list(dict.fromkeys(native.recipients))
        sent = native.sent_at or datetime.now(UTC).replace(microsecond=0)
        if sent.microsecond:
            self.losses.append("sent_at")
        sent_text = _format_datetime(sent)
        expires = _format_datetime((sent if sent.tzinfo else sent.replace(tzinfo=UTC))
                                   + EXPIRY)
        distribution_id = native.message_id or f"{native.sender}_{uuid.uuid4()}"
        content_key, kind, body = self._content()
        message = {"messageId": distribution_id, "sender": _party(native.sender),
                   "sentAt": sent_text, "kind": kind, "status": "Actual",
                   "recipient": [_party(r) for r in recipients], content_key: body}
        return {
            "distributionID": distribution_id,
            "senderID": native.sender,
            "dateTimeSent": sent_text,
            "dateTimeExpires": expires,
            "distributionStatus": "Actual",
            "distributionKind": kind,
            "descriptor": {"language": LANGUAGE, "explicitAddress": {
                "explicitAddressScheme": HUB_SCHEME, "explicitAddressValue": recipients[0]}},
            "content": [{"jsonContent": {"embeddedJsonContent": {"message": message}}}],
        }

    def _content(self) -> tuple[str, str, dict]:
        native = self.native
        if native.kind == "incident":
            if native.incident is None:
                raise self.fail("incident", "required for kind 'incident'")
            if native.reference is not None and native.reference != native.incident.reference:
                self.losses.append("reference")
            for name in ("update", "closure", "reason", "acknowledges"):
                if getattr(native, name) is not None:
                    self.losses.append(name)
            if native.updates:
                # createCase's freetext[] has no time or author per entry, and reads
                # back as the notes: an update history would come back as notes.
                self.losses.append("updates")
            return "createCase", "Report", self._create_case(native.incident)
        if native.kind == "acknowledgement":
            if not native.acknowledges:
                raise self.fail("acknowledges", "required for kind 'acknowledgement'")
            body: dict[str, Any] = {"distributionID": native.acknowledges}
            if native.reason:
                body["refused"] = True
                self.losses.append("reason")
            return "reference", "Ack", body
        reference = native.reference or (native.incident.reference if native.incident
                                         else None)
        if not reference:
            raise self.fail("reference", f"required for kind '{native.kind}'")
        if native.kind == "update":
            if native.update is None:
                raise self.fail("update", "required for kind 'update'")
            return "emsi", "Update", self._emsi_update(reference, native.update)
        if native.kind == "closure":
            if native.closure is None:
                raise self.fail("closure", "required for kind 'closure'")
            emsi = self._emsi(reference, "UPDATE", native.closure.outcome)
            emsi["EVENT"]["STATUS"] = "COM"
            if native.closure.text:
                emsi["EVENT"]["FREETEXT"] = native.closure.text
            return "emsi", "Update", emsi
        if native.kind == "cancellation":
            return "emsi", "Cancel", self._emsi(reference, "CANCEL", native.reason)
        raise self.fail("kind", f"'{native.kind}' cannot be written as EDXL-DE")

    # ---- createCase

    def _create_case(self, incident: Incident) -> dict:
        sender = self.native.sender or ""
        reference = incident.reference
        created = _format_datetime(incident.created_at)
        if incident.created_at.microsecond:
            self.losses.append("incident.created_at")
        if incident.type in _CISU_CODES:
            code, _ = _CISU_CODES[incident.type]
        else:
            code = _OTHER_CODE
            if incident.type != IncidentType.OTHER:
                self.losses.append("incident.type")
        qualification: dict[str, Any] = {"whatsHappen": {"code": code,
                                                         "label": incident.summary}}
        risks = []
        for hazard in incident.hazards:
            risk = risk_code(hazard)
            if risk:
                risks.append({"code": risk, "label": hazard})
        if len(risks) < len(incident.hazards):
            self.losses.append("incident.hazards")
        if risks:
            qualification["riskThreat"] = risks
        if incident.casualties:
            total = sum(c.count for c in incident.casualties)
            band = ("0" if total == 0 else "1" if total == 1
                    else "PLUSIEURS" if total < 10 else "BEAUCOUP")
            qualification["victims"] = {"count": band}
            if _victim_casualties(band) != incident.casualties:
                self.losses.append("incident.casualties")
        location = self._case_location(incident, created)
        case: dict[str, Any] = {
            "caseId": _case_id(reference, sender), "senderCaseId": reference,
            "creation": created, "referenceVersion": REFERENCE_VERSION,
            "qualification": qualification, "location": location,
        }
        caller = incident.caller
        carried_priority = Priority.URGENT
        if caller is not None and (caller.name or caller.phone or caller.notes):
            reporting = "ATTENTION" if incident.priority == Priority.EMERGENCY else "STANDARD"
            carried_priority = (Priority.EMERGENCY if reporting == "ATTENTION"
                                else Priority.URGENT)
            person: dict[str, Any] = {"callerContact": {"channel": "PERSONNE", "type": "TEL",
                                                        "detail": caller.phone or ""}}
            if caller.name:
                person["detailedName"] = {"complete": caller.name}
            if caller.notes:
                person["freetext"] = caller.notes
            case["initialAlert"] = {
                "id": f"{_case_id(reference, sender)}.alert", "reception": created,
                "reporting": reporting, "caller": person,
                "location": copy.deepcopy(location),
                "qualification": copy.deepcopy(qualification),
                "callTaker": {"organization": sender, "controlRoom": sender},
            }
        if carried_priority != incident.priority:
            self.losses.append("incident.priority")
        if incident.notes:
            case["freetext"] = [incident.notes]
        if incident.resources_requested:
            self.losses.append("incident.resources_requested")
        self._methane(incident.methane, "incident")
        return case

    def _case_location(self, incident: Incident, created: str) -> dict:
        where = incident.location
        self._unmapped_location(where, "incident")
        location: dict[str, Any] = {
            "locID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bluelight:{incident.reference}")),
            "country": _country(where),
        }
        if where.address:
            location["detailedAddress"] = {"complete": where.address}
        if where.description:
            location["freetext"] = where.description
        if where.lat is not None and where.lon is not None:
            location["geometry"] = {"datetime": created, "point": {"coord": {
                "lat": where.lat, "lon": where.lon, "precision": "INCONNUE"}}}
        return location

    def _unmapped_location(self, where: Location, root: str) -> None:
        for name in ("uprn", "easting", "northing"):
            if getattr(where, name) is not None:
                self.losses.append(f"{root}.location.{name}")
        if (where.lat is None) != (where.lon is None):
            self.losses.append(f"{root}.location.{'lat' if where.lat is not None else 'lon'}")

    def _methane(self, methane: Any, root: str) -> None:
        """CISU has no M/ETHANE report: every field of one is lost."""
        if methane is not None:
            self.losses += [f"{root}.methane.{name}" for name in methane.__struct_fields__]

    # ---- EMSI

    def _emsi(self, reference: str, msgtype: str, text: str | None) -> dict:
        native = self.native
        context: dict[str, Any] = {"ID": native.message_id or str(uuid.uuid4()),
                                   "MODE": "ACTUAL", "MSGTYPE": msgtype}
        if native.sent_at is not None:
            context["CREATION"] = _format_datetime(native.sent_at)
        if text:
            context["FREETEXT"] = text
        event = {"ID": reference, "MAIN_EVENT_ID": _case_id(reference, native.sender)}
        return {"CONTEXT": context, "EVENT": event}

    def _emsi_update(self, reference: str, update: IncidentUpdate) -> dict:
        emsi = self._emsi(reference, "UPDATE", update.text)
        event = emsi["EVENT"]
        if update.priority == Priority.EMERGENCY:
            emsi["CONTEXT"]["URGENCY"] = "URGENT"
        elif update.priority == Priority.ROUTINE:
            emsi["CONTEXT"]["URGENCY"] = "NOT_URGENT"
        elif update.priority is not None:
            self.losses.append("update.priority")
        if update.summary:
            event["NAME"] = update.summary
        incident = self.native.incident
        if incident is not None and incident.type in _EMSI_CATEGORIES:
            event["ETYPE"] = {"CATEGORY": [_EMSI_CATEGORIES[incident.type]],
                              "ACTOR": ["ANI" if incident.type == T.ANIMAL else "PPL"],
                              "LOCTYPE": ["OTH"]}
        if update.location is not None:
            self._unmapped_location(update.location, "update")
            position: dict[str, Any] = {"COORDSYS": "EPSG-4326"}
            if update.location.lat is not None and update.location.lon is not None:
                position["COORD"] = [{"LAT": update.location.lat,
                                      "LONG": update.location.lon}]
            if update.location.address:
                position["ADDRESS"] = [update.location.address]
            if update.location.description:
                position["NAME"] = update.location.description
            event["EGEO"] = [{"POSITION": position}]
        if update.casualties is not None:
            report: dict[str, Any] = {"CONTEXT": "REQ_ACTION"}
            fields = {Severity.SERIOUS: "TRIAGERED", Severity.MINOR: "TRIAGEGREEN",
                      Severity.FATAL: "TRIAGEBLACK", Severity.UNKNOWN: "MISSING"}
            for casualty in update.casualties:
                if casualty.severity in fields:
                    key = fields[casualty.severity]
                    report[key] = report.get(key, 0) + casualty.count
            event["CASUALTIES"] = [report]
            expected = [CasualtyCount(severity=s, count=report[k])
                        for k, s in _TRIAGE if k in report and report[k] > 0]
            if expected != update.casualties:
                self.losses.append("update.casualties")
        for name in ("hazards", "resources_requested"):
            if getattr(update, name):
                self.losses.append(f"update.{name}")
        self._methane(update.methane, "update")
        return emsi


def _to_xml(doc: dict) -> bytes:
    def sub(parent: etree._Element, name: str, ns: str = EDXL_NS) -> etree._Element:
        return etree.SubElement(parent, f"{{{ns}}}{name}")

    root = etree.Element(f"{{{EDXL_NS}}}edxlDistribution", nsmap={None: EDXL_NS})
    for name in ENVELOPE_FIELDS[:6]:
        sub(root, name).text = doc[name]
    descriptor = sub(root, "descriptor")
    sub(descriptor, "language").text = doc["descriptor"]["language"]
    address = sub(descriptor, "explicitAddress")
    for name, value in doc["descriptor"]["explicitAddress"].items():
        sub(address, name).text = value
    content = sub(root, "content")
    try:
        for obj in doc["content"]:
            holder = sub(sub(sub(content, "contentObject"), "xmlContent"), "embeddedXMLContent")
            message = etree.SubElement(holder, f"{{{CISU_NS}}}message", nsmap={None: CISU_NS})
            _put_members(message, obj["jsonContent"]["embeddedJsonContent"]["message"],
                         top=True)
    except ValueError as exc:  # a character XML 1.0 cannot hold
        raise CodecError(FORMAT, f"cannot be written as XML: {exc}",
                         [FieldFault("(document)", "text XML cannot carry")]) from None
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _put_members(parent: etree._Element, obj: dict, top: bool = False) -> None:
    for name, value in obj.items():
        if top and name == "recipient":
            wrapper = etree.SubElement(parent, f"{{{CISU_NS}}}recipients")
            for item in value:
                _put(wrapper, name, item)
        elif isinstance(value, list):
            for item in value:
                _put(parent, name, item)
        else:
            _put(parent, name, value)


def _put(parent: etree._Element, name: str, value: Any) -> None:
    element = etree.SubElement(parent, f"{{{CISU_NS}}}{name}")
    if isinstance(value, dict):
        _put_members(element, value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, float):
        element.text = repr(value)
    elif value is not None:
        element.text = str(value)
