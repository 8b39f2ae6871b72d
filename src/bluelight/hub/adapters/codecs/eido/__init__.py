"""NENA STA-021 Emergency Incident Data Object (EIDO), JSON  <->  bluelight's incident.

An EIDO is one JSON object: a prologue ($id = the incident tracking id, last update
time, owning agency), an `incidentComponent`, and arrays of linked data components
(notes, locations, persons, callbacks, cautions, agencies, calls...) that refer to each
other by `{"$ref": <$id>}`. Locations travel as PIDF-LO XML (RFC 4119/5139/5491).

Mapping (EIDO path  <->  native field):

    $id                                         -> message_id "<$id>@<lastUpdateTimeStamp>";
                                                   reference if there is no usable
                                                   internalIncidentId (sanitised)
    lastUpdateTimeStamp                        <-> sent_at (encode: sent_at or created_at)
    updatedByAgencyReference.$ref              <-> sender
    issuingElementIdentification               <-> sender (used if there is no agency ref)
    incidentComponent.internalIncidentId       <-> incident.reference
    incidentComponent.incidentTypeInternalCode <-> incident.type (our code verbatim)
    incidentComponent.incidentTypeCommonRegistryText
                                               <-> incident.type (APCO common incident
                                                   type codes, e.g. MVA, FSTRU, WELFARE;
                                                   unknown -> "other" and a loss)
    incidentComponent.incidentTypeInternalText  <-  the type's label; decode: summary
                                                   fallback
    incidentComponent.incidentPriorityInternalText <-> incident.priority
    callComponent[].priorityIdentifier          -> incident.priority (highest/high ->
                                                   emergency, normal -> urgent, low ->
                                                   routine, lowest -> low); none at all:
                                                   emergency (a transferred emergency
                                                   of unknown priority is treated as one)
    incidentComponent.lastUpdateTimeStamp      <-> incident.created_at (decode prefers
                                                   the earliest callComponent[].
                                                   callStartTimestamp)
    notesComponent[] (not the caller's)        <-> incident.summary (first note, if it
                                                   fits 500 chars) and incident.notes
                                                   (the rest, joined by blank lines);
                                                   notes are HTML5 on the EIDO side
    notesComponent[] after those                <-  updates[] (an export's update
                                                   history): one note per update, its
                                                   lastUpdateTimeStamp the update's time,
                                                   in order; decode reads them as notes.
                                                   An update message: the incident as it
                                                   stands, update.text one more note
    locationComponent[].locationByValue         <-> incident.location: civicAddress ->
        (PIDF-LO)                                  address text (encode: <LOC>, country
                                                   GB); gml:Point/pos (EPSG::4326) ->
                                                   lat/lon; shapes -> their centre
    locationComponent[].locationDescriptionText <-> incident.location.description
    personComponent[] with role "Caller"       <-> incident.caller: ncPersonComponent
                                                   name -> name; callBackReference ->
                                                   callbackComponent.callBackInformationUri
                                                   ("tel:" URI) -> phone; notesReference
                                                   -> caller notes
    cautionComponent[].cautionTypeInternalText <-> incident.hazards[]
    agencyComponent[] ($id = sender)           <-> sender; agencyType from the agency
                                                   id's service (fire, police, ems...)

Not carried by EIDO (encode losses): location.uprn, location.easting/northing (EIDO has
only PIDF-LO, i.e. WGS84: the hub has already derived lat/lon for outbound incidents),
casualties, resources_requested, methane, recipients (addressing is the transport's),
a message_id that is not an EIDO one, and the message ids of updates
("updates.message_id"). On decode, every EIDO field with no native
home is listed as a loss by its dotted path (e.g. "callComponent[0].queueIdentifier").
Bookkeeping is not a loss: component $ids, per-component lastUpdateTimeStamps, links
(`...Reference`), `@context`, and the constants this encoder itself writes.

Validation: not JSON or not an object -> CodecError. With the official schema (the
`schema_dir` argument or BLUELIGHT_EIDO_SCHEMA_DIR) every schema error is reported with
its path. Without it, the fields the codec reads are still type-checked. Encoded output
is validated against the schema whenever one is available.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
import uuid
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, unquote

import msgspec
from lxml import etree

from bluelight.hub.adapters.codecs import special, xmlsafe
from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.eido import schema as eido_schema
from bluelight.hub.domain.incident import (
    INCIDENT_TYPE_LABELS,
    CallerContact,
    Incident,
    IncidentType,
    Location,
    Priority,
)
from bluelight.kernel.errors import FieldFault

FORMAT = "eido"
MEDIA_TYPE = "application/json"
MAX_BYTES = 1_000_000
MAX_FAULTS = 20
EIDO_VERSION = "1.0"
CONTEXT = {"@vocab": "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"}
INCIDENT_ID_PREFIX = "urn:emergency:uid:incidentid:"
HUB_ELEMENT = "bluelight"  # our element id when the native message names no sender

# -- incident types: APCO ANS 2.103 common incident type codes (apco.yaml in the NIEM
#    components), which NENA's Incident Type registry draws on ----------------------

TYPE_TO_REGISTRY = {
    IncidentType.ROAD_TRAFFIC_COLLISION: "MVA",
    IncidentType.FIRE: "FOTHER",
    IncidentType.CONCERN_FOR_WELFARE: "WELFARE",
    IncidentType.MEDICAL: "SICK",
    IncidentType.FLOOD_WATER_RESCUE: "WATER",
    IncidentType.HAZARDOUS_MATERIALS: "HAZMAT",
    IncidentType.POLICE_ASSISTANCE: "ASSIST",
    IncidentType.ANIMAL: "ANIMAL",
    IncidentType.MAJOR_INCIDENT: "MAJORINC",
    IncidentType.OTHER: "OTHER",
}
_REGISTRY_TO_TYPE: dict[str, IncidentType] = {}
for _type, _codes in {
    IncidentType.ROAD_TRAFFIC_COLLISION: "MVA MVAHR MVAINJY MVAUNK",
    IncidentType.FIRE: "FAIRC FAPT FARSON FBRUSH FELEC FFUEL FMARINE FOTHER FSMOKE FSTRU "
                       "FTRAILER FTRAIN FTRASH FTRUCK FUNK FVEH ALRF",
    IncidentType.CONCERN_FOR_WELFARE: "WELFARE EDP SUICTHRT",
    IncidentType.MEDICAL: "ABDOM ALLERGIC ALRMED ALS BLS BLEEDING BURN CARDIAC CHESPAIN "
                          "CHOKE DIABETIC EYE FALL HEADACHE HEMRG OD PERUNCON PREG RESP "
                          "SEIZURE SICK STROKE TRAUMA TRAUMAP",
    IncidentType.FLOOD_WATER_RESCUE: "WATER DROWN",
    IncidentType.HAZARDOUS_MATERIALS: "HAZMAT CHEMICAL GASLEAK RADIAT BIO",
    IncidentType.POLICE_ASSISTANCE: "ASSIST BACK ASSAULT BURGLARY ROBBERY FIGHT SHOOT "
                                    "STABBING WEAPON DISORD HOSTAGE BARICADE",
    IncidentType.ANIMAL: "ANIMAL BITE WILDLIFE",
    IncidentType.MAJOR_INCIDENT: "MAJORINC MCI",
    IncidentType.OTHER: "OTHER",
}.items():
    _REGISTRY_TO_TYPE.update(dict.fromkeys(_codes.split(), _type))
# Free-text types ("Structure Fire", "EMS", "Traffic Collision"): first match wins.
_TYPE_WORDS = [
    (re.compile(r"\b(major incident|mass casualty|mci)\b"), IncidentType.MAJOR_INCIDENT),
    (re.compile(r"\b(hazmat|hazardous|chemical|gas leak)\b"), IncidentType.HAZARDOUS_MATERIALS),
    (re.compile(r"\bfire\b"), IncidentType.FIRE),
    (re.compile(r"\b(flood|water rescue|drowning)\b"), IncidentType.FLOOD_WATER_RESCUE),
    (re.compile(r"\b(traffic|collision|crash|mva|rtc|vehicle accident)\b"),
     IncidentType.ROAD_TRAFFIC_COLLISION),
    (re.compile(r"\b(welfare|suicid\w*)\b"), IncidentType.CONCERN_FOR_WELFARE),
    (re.compile(r"\b(medical|ems|ambulance|sick|cardiac|injury)\b"), IncidentType.MEDICAL),
    (re.compile(r"\b(police|law|assault|burglary|robbery|disturbance)\b"),
     IncidentType.POLICE_ASSISTANCE),
    (re.compile(r"\b(animal|dog|livestock|wildlife)\b"), IncidentType.ANIMAL),
]
_CALL_PRIORITY = {"highest": Priority.EMERGENCY, "high": Priority.EMERGENCY,
                  "normal": Priority.URGENT, "low": Priority.ROUTINE, "lowest": Priority.LOW}
# IANA urn:emergency:service:responder types, by bluelight service (agency id part 2).
_AGENCY_TYPES = {"police": "police", "fire": "fire", "ambulance": "ems",
                 "coastguard": "coast_guard"}

# Constants this encoder writes: reading them back carries no information.
AGENCY_ROLE = ["Dispatch"]
LOCATION_TYPE = "Incident"
CALLER_ROLE = "Caller"
CAUTION_REGISTRY = "Other"
CAUTION_SEVERITY = "normal"
# Location types in the order a decoder prefers them as *the* incident location.
_LOCATION_PREFERENCE = ("incident", "incidentlocation", "caller", "device", "routinglocation")

# -- XML namespaces of PIDF-LO -----------------------------------------------------------
NS_PIDF = "urn:ietf:params:xml:ns:pidf"
NS_GP = "urn:ietf:params:xml:ns:pidf:geopriv10"
NS_CA = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
NS_GBP = "urn:ietf:params:xml:ns:pidf:geopriv10:basicPolicy"
NS_GML = "http://www.opengis.net/gml"
NS_GS = "http://www.opengis.net/pidflo/1.0"
_WGS84 = {"urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG::4979"}
# Civic address elements in the order they are written out as one line of text.
_CIVIC_ORDER = ("NAM", "BLD", "UNIT", "ROOM", "SEAT", "FLR", "street", "RDSEC", "RDBR",
                "RDSUBBR", "PRM", "POM", "LMK", "LOC", "A6", "A5", "A4", "PCN", "A3", "A2",
                "A1", "POBOX", "PC", "ADDCODE", "country")
_STREET = ("HNO", "HNS", "PRD", "RD", "STS", "POD")
_HOME_COUNTRIES = {"GB", "UK"}  # bluelight is a UK hub: its addresses omit the country
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")


def _fail(field: str, fault: str) -> CodecError:
    return CodecError(FORMAT, f"{field}: {fault}", [FieldFault(field, fault)])


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


# ==== decode ============================================================================


def decode(data: bytes, *, schema_dir: str | os.PathLike[str] | None = None) -> Translation:
    """An EIDO document -> a native incident, and the EIDO fields it could not carry."""
    document = _parse_json(data)
    _validate(document, schema_dir)
    return _Decoder(document).run()


def _parse_json(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_BYTES:
        raise CodecError(FORMAT, f"document is {len(data)} bytes; the limit is {MAX_BYTES}",
                         [FieldFault("(document)", "too large")])

    def no_constants(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        document = json.loads(data, parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, NaN
        raise CodecError(FORMAT, f"not valid JSON: {exc}",
                         [FieldFault("(document)", "not valid JSON")]) from None
    if not isinstance(document, dict):
        raise CodecError(FORMAT, "an EIDO is a JSON object",
                         [FieldFault("(document)", "must be a JSON object")])
    return document


def _schema_dir(schema_dir: str | os.PathLike[str] | None) -> Any:
    return schema_dir if schema_dir is not None else eido_schema.default_schema_dir()


def _validate(document: Any, schema_dir: str | os.PathLike[str] | None) -> None:
    """Against the official schema, if there is one. Every error is reported (up to
    MAX_FAULTS), deepest paths first within a field, so a sender can fix them at once."""
    directory = _schema_dir(schema_dir)
    if directory is None:
        return
    errors = sorted(eido_schema.validator(directory).iter_errors(document),
                    key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    if not errors:
        return
    faults: list[FieldFault] = []
    for error in errors:
        field = eido_schema.error_path(error.absolute_path)
        fault = error.message
        if error.validator == "required" and (m := _REQUIRED.match(error.message)):
            field, fault = _join(field, m["name"]), "is required"
        fault = fault if len(fault) <= 300 else fault[:297] + "..."
        item = FieldFault(field or "(document)", fault)
        if item not in faults:
            faults.append(item)
    shown = faults[:MAX_FAULTS]
    detail = "; ".join(f"{f.field}: {f.fault}" for f in shown)
    if len(faults) > MAX_FAULTS:
        detail += f" (and {len(faults) - MAX_FAULTS} more)"
    raise CodecError(FORMAT, f"does not conform to the NENA EIDO schema: {detail}", shown)


_KIND_NAMES = {str: "a string", list: "an array", dict: "an object", int: "an integer",
               bool: "a boolean"}


class _Decoder:
    """Reads one EIDO. Every field it uses is marked, so that what is left over can be
    listed as lost. Type checks here back the schema up (and stand in when it is absent;
    the schema's Reference type, for one, accepts any non-object)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.used: set[str] = set()
        self.losses: list[str] = []
        self.by_id: dict[str, tuple[str, dict[str, Any]]] = {}

    # -- typed access --------------------------------------------------------------------

    def use(self, path: str) -> None:
        self.used.add(path)

    def get(self, obj: dict[str, Any], key: str, path: str, kind: type, *,
            use: bool = True) -> Any:
        """obj[key] if it is of `kind` (None if absent); marked as used unless told not
        to be (some fields only count as carried once their value has been judged)."""
        value = obj.get(key)
        if value is None:
            return None
        where = _join(path, key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _fail(where, f"must be {_KIND_NAMES[kind]}")
        if use:
            self.use(where)
        return value

    def text(self, obj: dict[str, Any], key: str, path: str, *, use: bool = True) -> str | None:
        return self.get(obj, key, path, str, use=use)

    def texts(self, obj: dict[str, Any], key: str, path: str) -> list[str]:
        values = self.get(obj, key, path, list, use=False) or []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise _fail(_join(_join(path, key), index), "must be a string")
        return values

    def ref(self, obj: dict[str, Any], key: str, path: str) -> str | None:
        """The $id a Reference points at."""
        value = self.get(obj, key, path, dict, use=False)
        if value is None:
            return None
        target = value.get("$ref")
        if not isinstance(target, str):
            raise _fail(_join(_join(path, key), "$ref"), "must be a string")
        return target

    def refs(self, obj: dict[str, Any], key: str, path: str) -> list[str]:
        values = self.get(obj, key, path, list, use=False) or []
        out = []
        for index, value in enumerate(values):
            where = _join(_join(path, key), index)
            if not isinstance(value, dict) or not isinstance(value.get("$ref"), str):
                raise _fail(where, "must be a reference ({\"$ref\": \"<id>\"})")
            out.append(value["$ref"])
        return out

    def time(self, obj: dict[str, Any], key: str, path: str, *,
             use: bool = True) -> datetime | None:
        value = self.text(obj, key, path, use=use)
        if value is None:
            return None
        try:
            return eido_schema.parse_rfc3339(value)
        except ValueError as exc:
            raise _fail(_join(path, key), str(exc)) from None

    def components(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        values = self.get(self.doc, name, "", list, use=False) or []
        out = []
        for index, value in enumerate(values):
            where = _join(name, index)
            if not isinstance(value, dict):
                raise _fail(where, "must be an object")
            out.append((where, value))
        return out

    # -- the whole document --------------------------------------------------------------

    def run(self) -> Translation:
        d = self.doc
        missing = [k for k in ("$id", "lastUpdateTimeStamp", "updatedByAgencyReference",
                               "eidoVersion", "issuingElementIdentification") if k not in d]
        if missing:
            raise CodecError(FORMAT, f"missing {', '.join(missing)}",
                             [FieldFault(k, "is required") for k in missing])
        if self.text(d, "eidoVersion", "") != EIDO_VERSION:
            raise _fail("eidoVersion", f"must be {EIDO_VERSION!r}")
        eido_id = self.text(d, "$id", "") or ""
        stamp = self.text(d, "lastUpdateTimeStamp", "") or ""
        sent_at = self.time(d, "lastUpdateTimeStamp", "")
        sender = self.ref(d, "updatedByAgencyReference", "")
        issuer = self.text(d, "issuingElementIdentification", "", use=False)
        if sender is None or issuer == sender:
            sender = sender or issuer
            self.use("issuingElementIdentification")
        for name in ("agencyComponent", "agentComponent", "notesComponent",
                     "locationComponent", "personComponent", "callbackComponent",
                     "callComponent", "cautionComponent", "additionalDataComponent"):
            for path, component in self.components(name):
                if isinstance(component.get("$id"), str):
                    self.by_id.setdefault(component["$id"], (path, component))

        incident_path = "incidentComponent"
        incident = self.get(d, incident_path, "", dict, use=False) or {}
        calls = self.components("callComponent")
        caller_path, caller_person = self._caller_person()

        reference = self._reference(incident, incident_path, eido_id)
        kind, type_text_used = self._type(incident, incident_path)
        priority = self._priority(incident, incident_path, calls)
        created_at = self._created_at(incident, incident_path, calls) or sent_at
        summary, notes = self._notes(incident, incident_path, caller_person)
        if summary is None:
            summary = self._summary_fallback(incident, incident_path, calls, kind, sender,
                                             type_text_used)
        self._agency(sender)
        result = Incident(
            reference=reference,
            type=kind,
            priority=priority,
            summary=summary,
            notes=notes,
            location=self._location(incident, incident_path),
            hazards=self._hazards(),
            caller=self._caller(caller_path, caller_person, calls),
            created_at=created_at,
        )
        try:  # constraints (lengths, patterns) are checked by convert, not by __init__
            result = msgspec.convert(msgspec.to_builtins(result), Incident)
        except msgspec.ValidationError as exc:
            raise CodecError(FORMAT, f"cannot be represented as an incident: {exc}",
                             [FieldFault("(document)", str(exc))]) from None
        native = Native(kind="incident", message_id=f"{eido_id}@{stamp}", sender=sender,
                        sent_at=sent_at, reference=reference, incident=result)
        _unused(self.doc, "", self.used, self.losses)
        return Translation(native=native, losses=list(dict.fromkeys(self.losses)))

    # -- the parts -----------------------------------------------------------------------

    def _reference(self, incident: dict[str, Any], path: str, eido_id: str) -> str:
        internal = self.text(incident, "internalIncidentId", path, use=False)
        if internal is not None and _REFERENCE.match(internal):
            self.use(_join(path, "internalIncidentId"))
            return internal
        return sanitise_reference(eido_id)  # the original stays in message_id

    def _type(self, incident: dict[str, Any], path: str) -> tuple[IncidentType, bool]:
        """The incident type, and whether the internal text was used up on the way."""
        code = self.text(incident, "incidentTypeInternalCode", path, use=False)
        common = self.text(incident, "incidentTypeCommonRegistryText", path, use=False)
        label = self.text(incident, "incidentTypeInternalText", path, use=False)
        kind: IncidentType | None = None
        if code in {t.value for t in IncidentType}:
            kind = IncidentType(code)
            self.use(_join(path, "incidentTypeInternalCode"))
        elif common is not None and common.strip().upper() in _REGISTRY_TO_TYPE:
            kind = _REGISTRY_TO_TYPE[common.strip().upper()]
            self.use(_join(path, "incidentTypeCommonRegistryText"))
        else:
            for key, value in (("incidentTypeCommonRegistryText", common),
                               ("incidentTypeInternalText", label),
                               ("incidentTypeInternalCode", code)):
                hit = value and next((t for rx, t in _TYPE_WORDS if rx.search(value.lower())),
                                     None)
                if hit:
                    kind = hit
                    self.use(_join(path, key))
                    break
        kind = kind or IncidentType.OTHER
        # Values that only restate the type (what this encoder writes) are not losses.
        if common is not None and (common == TYPE_TO_REGISTRY[kind]
                                   or _REGISTRY_TO_TYPE.get(common.strip().upper()) == kind):
            self.use(_join(path, "incidentTypeCommonRegistryText"))
        if label is not None and label == INCIDENT_TYPE_LABELS[kind]:
            self.use(_join(path, "incidentTypeInternalText"))
        return kind, _join(path, "incidentTypeInternalText") in self.used

    def _priority(self, incident: dict[str, Any], path: str,
                  calls: list[tuple[str, dict[str, Any]]]) -> Priority:
        text = self.text(incident, "incidentPriorityInternalText", path, use=False)
        if text is not None and text.strip().lower() in {p.value for p in Priority}:
            self.use(_join(path, "incidentPriorityInternalText"))
            return Priority(text.strip().lower())
        for call_path, call in calls:
            value = self.text(call, "priorityIdentifier", call_path, use=False)
            if value is not None and value in _CALL_PRIORITY:
                self.use(_join(call_path, "priorityIdentifier"))
                return _CALL_PRIORITY[value]
        return Priority.EMERGENCY

    def _created_at(self, incident: dict[str, Any], path: str,
                    calls: list[tuple[str, dict[str, Any]]]) -> datetime | None:
        starts = []
        for call_path, call in calls:
            start = self.time(call, "callStartTimestamp", call_path, use=False)
            if start is not None:
                starts.append((start, _join(call_path, "callStartTimestamp")))
        if starts:
            start, where = min(starts, key=lambda s: s[0])
            self.use(where)
            return start
        return self.time(incident, "lastUpdateTimeStamp", path, use=False)

    def _note_text(self, note_id: str) -> tuple[str, str] | None:
        found = self.by_id.get(note_id)
        if found is None or not found[0].startswith("notesComponent["):
            return None
        path, note = found
        text = self.text(note, "notesActionComments", path)
        return (path, html_to_text(text)) if text is not None else None

    def _notes(self, incident: dict[str, Any], path: str,
               caller: dict[str, Any] | None) -> tuple[str | None, str]:
        """Summary (first note, if short enough) and notes (the rest). Notes attached
        to the caller belong to the caller."""
        caller_notes = set(self.refs(caller, "notesReference", "") if caller else [])
        notes_by_key: dict[str, tuple[str, dict[str, Any]]] = {}
        for note_path, note in self.components("notesComponent"):
            key = note["$id"] if isinstance(note.get("$id"), str) else note_path
            notes_by_key.setdefault(key, (note_path, note))
        linked = [i for i in self.refs(incident, "notesReference", path) if i in notes_by_key]
        texts: list[tuple[str, str]] = []
        for key in dict.fromkeys([*linked, *notes_by_key]):
            if key in caller_notes:
                continue
            note_path, note = notes_by_key[key]
            text = self.text(note, "notesActionComments", note_path)
            if text is not None and (plain := html_to_text(text)) != "":
                texts.append((note_path, plain))
        summary = None
        if texts and len(texts[0][1]) <= 500:
            summary = texts.pop(0)[1]
        elif texts:
            first_line = texts[0][1].strip().splitlines()[0] if texts[0][1].strip() else ""
            summary = _clip(first_line, 500) or None
        notes = "\n\n".join(t for _, t in texts)
        if len(notes) > 10_000:
            notes = _clip(notes, 10_000)
            self.losses.append("notesComponent")
        return summary, notes

    def _summary_fallback(self, incident: dict[str, Any], path: str,
                          calls: list[tuple[str, dict[str, Any]]], kind: IncidentType,
                          sender: str | None, type_text_used: bool) -> str:
        label = self.text(incident, "incidentTypeInternalText", path, use=False)
        if label and label.strip() and not type_text_used:
            self.use(_join(path, "incidentTypeInternalText"))
            return _clip(label.strip(), 500)
        origin = f" from {sender}" if sender else ""
        for call_path, call in calls:
            call_type = self.text(call, "standardPrimaryCallType", call_path, use=False)
            if call_type and call_type.strip():
                self.use(_join(call_path, "standardPrimaryCallType"))
                return _clip(f"{call_type.strip().capitalize()} call transferred{origin}", 500)
        return _clip(f"{INCIDENT_TYPE_LABELS[kind]} incident transferred{origin}", 500)

    def _agency(self, sender: str | None) -> None:
        """The sender's own agency component restates the sender: not a loss when it
        says what this encoder would have said."""
        for path, agency in self.components("agencyComponent"):
            if agency.get("$id") != sender:
                continue
            if self.texts(agency, "agencyRoleDescriptionRegistryText", path) == AGENCY_ROLE:
                self.use(_join(path, "agencyRoleDescriptionRegistryText"))
            if self.texts(agency, "agencyType", path) == agency_types(sender):
                self.use(_join(path, "agencyType"))

    # -- location --------------------------------------------------------------------------

    def _location(self, incident: dict[str, Any], path: str) -> Location:
        linked = self.refs(incident, "locationReference", path)
        candidates: list[tuple[int, int, str, dict[str, Any]]] = []
        for order, (loc_path, loc) in enumerate(self.components("locationComponent")):
            kind = self.text(loc, "locationTypeDescriptionRegistryText", loc_path, use=False)
            if not (loc.get("locationByValue") or loc.get("locationDescriptionText")):
                continue  # by reference only: nothing to read here
            rank = 0 if loc.get("$id") in linked else 1
            kind_key = (kind or "").replace(" ", "").lower()
            preference = (_LOCATION_PREFERENCE.index(kind_key)
                          if kind_key in _LOCATION_PREFERENCE else len(_LOCATION_PREFERENCE))
            candidates.append((rank, preference * 1000 + order, loc_path, loc))
        if not candidates:
            return Location()
        _, _, loc_path, loc = min(candidates, key=lambda c: (c[0], c[1]))
        self.use(_join(loc_path, "locationTypeDescriptionRegistryText"))
        description = self.text(loc, "locationDescriptionText", loc_path)
        address = lat = lon = None
        pidf = self.text(loc, "locationByValue", loc_path)
        if pidf is not None:
            address, lat, lon = self._pidf(pidf, _join(loc_path, "locationByValue"))
        return Location(address=_clip(address, 500) if address else None, lat=lat, lon=lon,
                        description=_clip(description, 500) if description else None)

    def _pidf(self, text: str, path: str) -> tuple[str | None, float | None, float | None]:
        """Address text and WGS84 position from a PIDF-LO document."""
        body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text).strip()
        try:
            root = xmlsafe.parse(body.encode("utf-8"), FORMAT)
        except CodecError as exc:
            fault = exc.faults[0].fault if exc.faults else "not a PIDF-LO document"
            raise _fail(path, f"PIDF-LO: {fault}") from None
        address: str | None = None
        point: tuple[float, float] | None = None
        for info in root.iter(f"{{{NS_GP}}}location-info"):
            for child in info:
                if not isinstance(child.tag, str):
                    continue
                namespace, name = _split_tag(child.tag)
                if namespace == NS_CA and name == "civicAddress" and address is None:
                    address = self._civic(child, _join(path, "civicAddress"))
                elif namespace in (NS_GML, NS_GS) and point is None:
                    point = _shape_centre(child, _join(path, name))
                    if name != "Point" or len(_numbers(child)) > 2:
                        self.losses.append(_join(path, name))  # uncertainty, altitude
                else:
                    self.losses.append(_join(path, name))
            geopriv = info.getparent()
            for sibling in geopriv if geopriv is not None else ():
                if not isinstance(sibling.tag, str) or sibling is info:
                    continue
                _, name = _split_tag(sibling.tag)
                if name == "usage-rules":
                    for rule in sibling:
                        if not isinstance(rule.tag, str):
                            continue
                        _, rule_name = _split_tag(rule.tag)
                        if not (rule_name == "retransmission-allowed"
                                and (rule.text or "").strip().lower() in ("true", "1")):
                            self.losses.append(_join(_join(path, "usage-rules"), rule_name))
                else:
                    self.losses.append(_join(path, name))
        if address is None and point is None and root.find(f".//{{{NS_GP}}}geopriv") is None:
            raise _fail(path, "PIDF-LO: no geopriv location")
        lat, lon = point if point else (None, None)
        return address, lat, lon

    def _civic(self, element: etree._Element, path: str) -> str | None:
        values: dict[str, str] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue
            _, name = _split_tag(child.tag)
            value = " ".join((child.text or "").split())  # xs:token: whitespace collapses
            if name in values or (name not in _CIVIC_ORDER and name not in _STREET):
                self.losses.append(_join(path, name))
            elif value:
                values[name] = value
        number = values.get("HNO", "") + values.get("HNS", "")
        street = " ".join(v for v in (number, values.get("PRD"), values.get("RD"),
                                      values.get("STS"), values.get("POD")) if v)
        parts = []
        for name in _CIVIC_ORDER:
            value = street if name == "street" else values.get(name)
            if name == "country" and value and value.upper() in _HOME_COUNTRIES:
                continue
            if value and value not in parts:
                parts.append(value)
        return ", ".join(parts) or None

    # -- people ----------------------------------------------------------------------------

    def _caller_person(self) -> tuple[str, dict[str, Any] | None]:
        for path, person in self.components("personComponent"):
            roles = self.texts(person, "personIncidentRoleRegistryText", path)
            if any(r.strip().lower() == CALLER_ROLE.lower() for r in roles):
                self.use(_join(path, "personIncidentRoleRegistryText"))
                return path, person
        return "", None

    def _caller(self, path: str, person: dict[str, Any] | None,
                calls: list[tuple[str, dict[str, Any]]]) -> CallerContact | None:
        name = phone = notes = None
        callback: str | None = None
        if person is not None:
            name = self._person_name(person, path)
            callback = self.ref(person, "callBackReference", path)
            texts = [t for i in self.refs(person, "notesReference", path)
                     if (t := self._note_text(i)) and t[1]]
            notes = _clip("\n\n".join(t for _, t in texts), 500) or None
        for call_path, call in calls:  # the call that brought the caller in
            if callback is not None:
                break
            people = self.refs(call, "personReference", call_path)
            if person is None or person.get("$id") in people:
                callback = self.ref(call, "callBackReference", call_path)
        if callback is not None and callback in self.by_id:
            phone = self._phone(*self.by_id[callback])
        if person is None and phone is None:
            return None
        return CallerContact(name=name, phone=phone, notes=notes)

    def _person_name(self, person: dict[str, Any], path: str) -> str | None:
        nc_path = _join(path, "ncPersonComponent")
        nc = self.get(person, "ncPersonComponent", path, dict, use=False)
        if not nc:
            return None
        names = self.get(nc, "name", nc_path, list, use=False) or []
        if not names or not isinstance(names[0], dict):
            return None
        name_path = _join(_join(nc_path, "name"), 0)

        def value(key: str) -> str | None:
            items = self.get(names[0], key, name_path, list, use=False) or []
            if items and isinstance(items[0], dict):
                text = self.text(items[0], "value", _join(_join(name_path, key), 0))
                return text if text and text.strip() else None
            return None

        full = value("personFullName")
        if full:
            return _clip(full, 500)
        parts = [p.strip() for p in (value("personGivenName"), value("personMiddleName"),
                                     value("personSurName")) if p]
        return _clip(" ".join(parts), 500) if parts else None

    def _phone(self, path: str, callback: dict[str, Any]) -> str | None:
        if not path.startswith("callbackComponent["):
            return None
        uris = self.texts(callback, "callBackInformationUri", path)
        ranked = sorted(range(len(uris)), key=lambda i: not uris[i].lower().startswith("tel:"))
        for index in ranked:
            phone = phone_from_uri(uris[index])
            if phone:
                self.use(_join(_join(path, "callBackInformationUri"), index))
                return phone
        updated = self.get(callback, "updatedCbn", path, dict, use=False)
        if updated:
            where = _join(path, "updatedCbn")
            uri = self.text(updated, "updatedCbnIdentifierUri", where, use=False)
            if uri and (phone := phone_from_uri(uri)):
                self.use(_join(where, "updatedCbnIdentifierUri"))
                return phone
        return None

    def _hazards(self) -> list[str]:
        hazards: list[str] = []
        for path, caution in self.components("cautionComponent"):
            text = self.text(caution, "cautionTypeInternalText", path, use=False)
            common = self.text(caution, "cautionTypeCommonRegistryText", path, use=False)
            from_text = bool(text)  # kept as written, even if only spaces
            label = text if from_text else (common or "").strip()
            if not label or len(hazards) >= 50:
                continue
            self.use(_join(path, "cautionTypeInternalText" if from_text
                           else "cautionTypeCommonRegistryText"))
            if common in (CAUTION_REGISTRY, text):
                self.use(_join(path, "cautionTypeCommonRegistryText"))
            if caution.get("cautionSeverity") == CAUTION_SEVERITY:
                self.use(_join(path, "cautionSeverity"))
            if len(label) > 200:
                self.losses.append(_join(path, "cautionTypeInternalText"))
            hazards.append(_clip(label, 200))
        return hazards


# ---- what was not used -----------------------------------------------------------------

_BOOKKEEPING = {"$id", "lastUpdateTimeStamp", "@context", "eidoVersion", "callIdentifier"}


def _is_link(key: str) -> bool:
    return key.endswith(("Reference", "References"))


def _unused(node: Any, path: str, used: set[str], out: list[str]) -> None:
    """Append the paths of fields that carry information and were not read. Arrays of
    plain values are named whole when nothing in them was read."""
    if path in used:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _BOOKKEEPING or _is_link(key):
                continue
            _unused(value, _join(path, key), used, out)
    elif isinstance(node, list):
        scalars = all(not isinstance(v, dict | list) for v in node)
        if scalars and node and not any(_join(path, i) in used for i in range(len(node))):
            out.append(path)
            return
        for index, value in enumerate(node):
            _unused(value, _join(path, index), used, out)
    elif node is not None and node != "":
        out.append(path)


# ==== encode ============================================================================


def encode(native: Native, *, schema_dir: str | os.PathLike[str] | None = None) -> Translation:
    """A native incident -> an EIDO document, and the native fields it could not carry.

    An EIDO is the whole incident at a point in time, so an update that comes with the
    incident as it now stands is written as that incident, the update's text one more
    note (at the message's time); the fields it replaced are in the incident already."""
    is_update = (native.kind == "update" and native.incident is not None
                 and native.update is not None)
    if not is_update and (native.kind != "incident" or native.incident is None):
        raise CodecError(FORMAT, f"only incidents (and updates with the incident as it "
                         f"stands) can be written as an EIDO, not {native.kind}",
                         [FieldFault("kind", "not an incident")])
    incident = native.incident
    losses: list[str] = special.uncarried(incident)
    agency = native.sender or HUB_ELEMENT
    created = eido_schema.format_rfc3339(incident.created_at)
    stamp = eido_schema.format_rfc3339(native.sent_at or incident.created_at)
    eido_id = _incident_id(native, agency)

    def component_id(role: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{eido_id}#{role}"))

    def prologue(component_id_: str, when: str = stamp) -> dict[str, Any]:
        return {"$id": component_id_, "lastUpdateTimeStamp": when,
                "updatedByAgencyReference": {"$ref": agency}}

    notes: list[dict[str, Any]] = []

    def note(role: str, text: str, when: str = stamp) -> dict[str, str]:
        notes.append({**prologue(component_id(role), when),
                      "notesActionComments": text_to_html(text)})
        return {"$ref": notes[-1]["$id"]}

    incident_notes = [note("note-summary", incident.summary)]
    if incident.notes:
        incident_notes.append(note("note-notes", incident.notes))
    # An EIDO note has its own time and author: each update is one, in order. A text
    # the reader may not have (withheld, purged) is simply not there: nothing to lose.
    for record in native.updates:
        if record.text:
            when = eido_schema.format_rfc3339(datetime.fromtimestamp(record.at, UTC))
            incident_notes.append(note(f"note-update-{record.version}", record.text, when))
    if is_update:
        incident_notes.append(note(f"note-message-{native.message_id or stamp}",
                                   native.update.text))
    if any(r.message_id for r in native.updates):
        losses.append("updates.message_id")
    if any(r.by != agency for r in native.updates):
        losses.append("updates.by")

    component: dict[str, Any] = {
        **prologue(component_id("incident"), created),
        "incidentTypeInternalCode": incident.type.value,
        "incidentTypeInternalText": INCIDENT_TYPE_LABELS[incident.type],
        "incidentTypeCommonRegistryText": TYPE_TO_REGISTRY[incident.type],
        "internalIncidentId": incident.reference,
        "incidentPriorityInternalText": incident.priority.value,
    }
    document: dict[str, Any] = {
        **prologue(eido_id),
        "eidoVersion": EIDO_VERSION,
        "issuingElementIdentification": agency,
        "incidentComponent": component,
    }

    location = _encode_location(incident.location, prologue(component_id("location-0")),
                                f"pres:{quote(incident.reference, safe='')}@{agency}", losses)
    if location is not None:
        component["locationReference"] = [{"$ref": location["$id"]}]
        document["locationComponent"] = [location]

    caller = incident.caller
    if caller is not None:
        person: dict[str, Any] = {**prologue(component_id("person-caller")),
                                  "personIncidentRoleRegistryText": [CALLER_ROLE]}
        if caller.name:
            person["ncPersonComponent"] = {"name": [{"personFullName": [{"value": caller.name}]}]}
        if caller.phone:
            callback = {**prologue(component_id("callback-caller")),
                        "callBackInformationUri": [tel_uri(caller.phone)]}
            document["callbackComponent"] = [callback]
            person["callBackReference"] = {"$ref": callback["$id"]}
        if caller.notes:
            person["notesReference"] = [note("note-caller", caller.notes)]
        document["personComponent"] = [person]
        component["personReference"] = [{"$ref": person["$id"]}]

    component["notesReference"] = incident_notes
    document["notesComponent"] = notes
    if incident.hazards:
        document["cautionComponent"] = [
            {**prologue(component_id(f"caution-{i}")), "cautionTypeInternalText": hazard,
             "cautionTypeCommonRegistryText": CAUTION_REGISTRY,
             "cautionSeverity": CAUTION_SEVERITY}
            for i, hazard in enumerate(incident.hazards)
        ]
    document["agencyComponent"] = [{**prologue(agency),
                                    "agencyRoleDescriptionRegistryText": list(AGENCY_ROLE),
                                    "agencyType": agency_types(agency)}]
    document["@context"] = dict(CONTEXT)

    loc = incident.location
    losses += [f"incident.location.{name}" for name in ("uprn", "easting", "northing")
               if getattr(loc, name) is not None]
    losses += [f"incident.{name}" for name in ("casualties", "resources_requested", "methane")
               if getattr(incident, name)]
    if native.recipients:
        losses.append("recipients")
    if native.message_id and not native.message_id.startswith(INCIDENT_ID_PREFIX):
        losses.append("message_id")
    if native.reference not in (None, incident.reference):
        losses.append("reference")

    directory = _schema_dir(schema_dir)
    if directory is not None:
        errors = list(eido_schema.validator(directory).iter_errors(document))
        if errors:  # a bug here, not bad input: say exactly what
            first = errors[0]
            raise CodecError(FORMAT, "the EIDO written does not conform to the schema: "
                             f"{eido_schema.error_path(first.absolute_path)}: {first.message}",
                             [FieldFault(eido_schema.error_path(first.absolute_path)
                                         or "(document)", first.message)])
    try:
        data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: \u-escape everything instead
        data = json.dumps(document, indent=2).encode("ascii")
    return Translation(data=data, media_type=MEDIA_TYPE, losses=list(dict.fromkeys(losses)))


def _incident_id(native: Native, agency: str) -> str:
    """Keep an EIDO incident id that came in (message_id "<$id>@<time>"); else make
    one in the STA-010 form urn:emergency:uid:incidentid:<unique>:<element id>."""
    if native.message_id and native.message_id.startswith(INCIDENT_ID_PREFIX):
        return native.message_id.rsplit("@", 1)[0]  # the time has no "@"; ids may
    assert native.incident is not None
    return f"{INCIDENT_ID_PREFIX}{native.incident.reference}:{agency}"


def _encode_location(loc: Location, prologue: dict[str, Any], entity: str,
                     losses: list[str]) -> dict[str, Any] | None:
    address = " ".join(loc.address.split()) if loc.address else ""  # civic values are xs:token
    if _XML_ILLEGAL.search(address):
        address = _XML_ILLEGAL.sub("", address)
        losses.append("incident.location.address")
    has_point = loc.lat is not None and loc.lon is not None
    if not (address or has_point or loc.description):
        return None
    component: dict[str, Any] = {**prologue, "locationTypeDescriptionRegistryText": LOCATION_TYPE}
    if address or has_point:
        component["locationByValue"] = pidf_lo(entity, address or None,
                                               (loc.lat, loc.lon) if has_point else None)
    if loc.description:
        component["locationDescriptionText"] = loc.description
    return component


# ==== helpers (public for tests and other codecs) =========================================


def sanitise_reference(text: str) -> str:
    """Any identifier -> a valid native Reference (letters, digits, . _ : -; up to 64).
    Changed identifiers get a short hash of the original, so two never collide."""
    if _REFERENCE.match(text):
        return text
    cleaned = re.sub(r"[^A-Za-z0-9._:-]+", "-", text).lstrip("._:-") or "eido"
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"{cleaned[:53].rstrip('-')}-{digest}"


def agency_types(agency: str | None) -> list[str]:
    """IANA responder types for a bluelight agency id (country.service.organisation)."""
    parts = (agency or "").split(".")
    kind = _AGENCY_TYPES.get(parts[1]) if len(parts) >= 3 else None
    return [kind] if kind else []


def tel_uri(phone: str) -> str:
    """A phone number as a tel: URI: spaces become the visual separator "-", anything
    not allowed in a URI is percent-encoded."""
    return "tel:" + quote("-".join(phone.split()), safe="+-.()*#")


def phone_from_uri(uri: str) -> str | None:
    """The phone number in a tel: URI (or the numeric user part of a sip: URI), with
    "-" separators shown as spaces. None if the URI carries no phone number."""
    scheme, _, rest = uri.strip().partition(":")
    scheme = scheme.lower()
    if scheme == "tel":
        number = unquote(rest.split(";", 1)[0])
    elif scheme in ("sip", "sips"):
        number = unquote(rest.split("@", 1)[0].split(";", 1)[0])
        if not re.fullmatch(r"\+?[0-9().\-]+", number):
            return None
    else:
        return None
    number = " ".join(number.replace("-", " ").split())
    return number if number and len(number) <= 40 else None


def text_to_html(text: str) -> str:
    """Plain text -> the HTML5 that notesActionComments holds (escaped; line breaks as
    <br>). html_to_text reverses it exactly."""
    return html.escape(text, quote=False).replace("\n", "<br>\n")


_BR = re.compile(r"<br\s*/?>\n?", re.IGNORECASE)
_TAG = re.compile(r"<[A-Za-z/!?]")


class _TextExtractor(HTMLParser):
    _BLOCKS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self._BLOCKS and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """notesActionComments (HTML5) -> plain text: tags dropped, entities resolved, <br>
    and block ends as line breaks."""
    text = _BR.sub("\n", markup)
    if not _TAG.search(text):
        return html.unescape(text)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return re.sub(r"\n{3,}", "\n\n", "".join(parser.parts)).strip()


def pidf_lo(entity: str, address: str | None, point: tuple[float, float] | None) -> str:
    """A PIDF-LO document: the civic address and the WGS84 point each in a tuple of their
    own (RFC 5491: one location per location-info). Retransmission is allowed: the
    receiving control room passes the location on to its crews."""
    presence = etree.Element(f"{{{NS_PIDF}}}presence", nsmap={
        None: NS_PIDF, "gp": NS_GP, "ca": NS_CA, "gbp": NS_GBP, "gml": NS_GML},
        entity=entity)
    for kind in ("civic", "geo"):
        if (kind == "civic" and not address) or (kind == "geo" and point is None):
            continue
        status = etree.SubElement(etree.SubElement(presence, f"{{{NS_PIDF}}}tuple", id=kind),
                                  f"{{{NS_PIDF}}}status")
        geopriv = etree.SubElement(status, f"{{{NS_GP}}}geopriv")
        info = etree.SubElement(geopriv, f"{{{NS_GP}}}location-info")
        if kind == "civic":
            civic = etree.SubElement(info, f"{{{NS_CA}}}civicAddress")
            etree.SubElement(civic, f"{{{NS_CA}}}country").text = "GB"
            etree.SubElement(civic, f"{{{NS_CA}}}LOC").text = address
        else:
            assert point is not None
            shape = etree.SubElement(info, f"{{{NS_GML}}}Point",
                                     srsName="urn:ogc:def:crs:EPSG::4326")
            etree.SubElement(shape, f"{{{NS_GML}}}pos").text = f"{point[0]!r} {point[1]!r}"
        rules = etree.SubElement(geopriv, f"{{{NS_GP}}}usage-rules")
        etree.SubElement(rules, f"{{{NS_GBP}}}retransmission-allowed").text = "true"
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            + etree.tostring(presence, encoding="unicode"))


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _numbers(element: etree._Element) -> list[float]:
    """The coordinates in a shape's gml:pos / gml:posList elements, in document order."""
    values: list[float] = []
    for item in element.iter(f"{{{NS_GML}}}pos", f"{{{NS_GML}}}posList"):
        values += [float(v) for v in (item.text or "").split()]
    return values


def _shape_centre(shape: etree._Element, path: str) -> tuple[float, float]:
    """(lat, lon) of a GML / GeoShape shape: a point's position, a circle's or ellipse's
    centre, or the mean vertex of a polygon."""
    srs = shape.get("srsName")
    if srs is not None and srs not in _WGS84:
        raise _fail(path, f"srsName {srs!r} is not WGS84 (EPSG::4326 or EPSG::4979)")
    try:
        numbers = _numbers(shape)
    except ValueError:
        raise _fail(path, "coordinates must be numbers") from None
    dims = 3 if srs and srs.endswith("4979") else 2
    if not numbers or len(numbers) % dims:
        raise _fail(path, "no position (gml:pos)")
    points = [numbers[i:i + dims] for i in range(0, len(numbers), dims)]
    _, name = _split_tag(shape.tag)
    if name == "Polygon" and len(points) > 3 and points[0] == points[-1]:
        points = points[:-1]  # a closed ring repeats its first vertex
    if name != "Polygon":
        points = points[:1]
    lat = sum(p[0] for p in points) / len(points)
    lon = sum(p[1] for p in points) / len(points)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        raise _fail(path, "position is not a WGS84 latitude and longitude")
    return lat, lon


def _clip(text: str | None, limit: int) -> str:
    if text is None:
        return ""
    return text if len(text) <= limit else text[: limit - 1] + "…"
