"""bluelight's MAIT-style XML profile (urn:bluelight:mait:1.0): lossless for native fields.

NOT A CERTIFIED BAPCO SCHEMA. BAPCO publishes the UK Multi-Agency Incident Transfer
standard as a PDF only; schemas/bluelight-mait-1.0.xsd is bluelight's own reading of the
public descriptions of MAIT, and every document read or written is checked against it.

    kind          root element          body
    incident      IncidentCreate        Incident (+ History: an export's update history)
    update        IncidentUpdate        Update (+ Incident, the incident as it stands)
    closure       IncidentClosure       Outcome, Text
    cancellation  IncidentCancellation  Reason
    acknowledgement Acknowledgement     Acknowledges (the message id acknowledged)

Every message starts with a Header: MessageID (message_id; a new UUID when absent),
SentAt (sent_at; now when absent), From (sender: a hierarchical agency id, required),
To (recipients), IncidentReference (reference; required for update, closure and
cancellation). Locations carry UPRN, GridReference (Easting/Northing), WGS84
(Latitude/Longitude), Address and Description; M/ETHANE, casualties, resources and the
caller all have elements. Only fields that do not belong to the message's kind (say, a
closure on an incident message) are lost, and listed. A History read in an IncidentCreate
is listed as lost: a new incident starts with no updates."""

from __future__ import annotations

import functools
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import xmlschema
from lxml import etree

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.methane import present_fields
from bluelight.hub.adapters.codecs.xmlsafe import parse
from bluelight.hub.domain.incident import (
    Incident,
    IncidentUpdate,
    Location,
    Methane,
    UpdateRecord,
)
from bluelight.kernel.errors import FieldFault, validation_fault

FORMAT = "mait-xml"
MEDIA_TYPE = "application/vnd.bluelight.mait+xml"
NS = "urn:bluelight:mait:1.0"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "bluelight-mait-1.0.xsd"

ROOTS = {
    "incident": "IncidentCreate",
    "update": "IncidentUpdate",
    "closure": "IncidentClosure",
    "cancellation": "IncidentCancellation",
    "acknowledgement": "Acknowledgement",
}
KINDS = {root: kind for kind, root in ROOTS.items()}
_HEADER = {"kind", "message_id", "sender", "recipients", "sent_at", "reference"}
_CARRIED = {
    "incident": _HEADER | {"incident", "updates"},
    "update": _HEADER | {"update", "incident"},
    "closure": _HEADER | {"closure"},
    "cancellation": _HEADER | {"reason"},
    "acknowledgement": _HEADER | {"acknowledges"},
}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@functools.cache
def schema() -> xmlschema.XMLSchema10:
    """bluelight's MAIT-style profile, from the package."""
    return xmlschema.XMLSchema10(str(SCHEMA_PATH))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def schema_faults(root: etree._Element) -> list[FieldFault]:
    return [FieldFault(re.sub(r"\w+:", "", e.path or "/"), e.reason or str(e))
            for e in schema().iter_errors(root)]


# --- writing -------------------------------------------------------------------------

class _Writer:
    def __init__(self) -> None:
        self.faults: list[FieldFault] = []

    def sub(self, parent: etree._Element, tag: str, value: object = None,
            path: str = "") -> etree._Element:
        element = etree.SubElement(parent, _q(tag))
        if value is None:
            return element
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, float):
            text = repr(value)
        elif isinstance(value, datetime):
            text = _iso(value)
        else:
            text = str(value)
        if _NOT_XML.search(text):
            self.faults.append(FieldFault(path or tag, "contains characters XML cannot carry"))
            text = _NOT_XML.sub("", text)
        element.text = text
        return element

    def location(self, parent: etree._Element, tag: str, location: Location,
                 path: str) -> None:
        element = self.sub(parent, tag)
        if location.uprn is not None:
            self.sub(element, "UPRN", location.uprn, f"{path}.uprn")
        if location.easting is not None or location.northing is not None:
            grid = self.sub(element, "GridReference")
            if location.easting is not None:
                self.sub(grid, "Easting", float(location.easting), f"{path}.easting")
            if location.northing is not None:
                self.sub(grid, "Northing", float(location.northing), f"{path}.northing")
        if location.lat is not None or location.lon is not None:
            wgs84 = self.sub(element, "WGS84")
            if location.lat is not None:
                self.sub(wgs84, "Latitude", float(location.lat), f"{path}.lat")
            if location.lon is not None:
                self.sub(wgs84, "Longitude", float(location.lon), f"{path}.lon")
        if location.address is not None:
            self.sub(element, "Address", location.address, f"{path}.address")
        if location.description is not None:
            self.sub(element, "Description", location.description, f"{path}.description")

    def hazards(self, parent: etree._Element, hazards: list[str], path: str) -> None:
        element = self.sub(parent, "Hazards")
        for index, hazard in enumerate(hazards):
            self.sub(element, "Hazard", hazard, f"{path}[{index}]")

    def casualties(self, parent: etree._Element, casualties: list, path: str) -> None:
        element = self.sub(parent, "Casualties")
        for casualty in casualties:
            item = self.sub(element, "Casualty")
            self.sub(item, "Severity", casualty.severity)
            self.sub(item, "Count", casualty.count)

    def resources(self, parent: etree._Element, resources: list, path: str) -> None:
        element = self.sub(parent, "ResourcesRequested")
        for index, resource in enumerate(resources):
            item = self.sub(element, "Resource")
            self.sub(item, "Kind", resource.kind, f"{path}[{index}].kind")
            self.sub(item, "Count", resource.count)
            if resource.note is not None:
                self.sub(item, "Note", resource.note, f"{path}[{index}].note")

    def methane(self, parent: etree._Element, methane: Methane, path: str) -> None:
        element = self.sub(parent, "Methane")
        self.sub(element, "MajorIncidentDeclared", methane.major_incident_declared)
        for tag, name in (("ExactLocation", "exact_location"),
                          ("TypeOfIncident", "type_of_incident"), ("Hazards", "hazards"),
                          ("Access", "access"), ("NumberOfCasualties", "number_of_casualties")):
            self.sub(element, tag, getattr(methane, name), f"{path}.{name}")
        for tag, name in (("EmergencyServicesPresent", "emergency_services_present"),
                          ("EmergencyServicesRequired", "emergency_services_required")):
            services = getattr(methane, name)
            if services:
                group = self.sub(element, tag)
                for index, service in enumerate(services):
                    self.sub(group, "Service", service, f"{path}.{name}[{index}]")

    def incident(self, parent: etree._Element, incident: Incident, path: str) -> None:
        element = self.sub(parent, "Incident")
        self.sub(element, "Reference", incident.reference, f"{path}.reference")
        self.sub(element, "Type", incident.type)
        self.sub(element, "Priority", incident.priority)
        self.sub(element, "Summary", incident.summary, f"{path}.summary")
        self.location(element, "Location", incident.location, f"{path}.location")
        self.sub(element, "CreatedAt", incident.created_at)
        if incident.notes:
            self.sub(element, "Notes", incident.notes, f"{path}.notes")
        if incident.hazards:
            self.hazards(element, incident.hazards, f"{path}.hazards")
        if incident.casualties:
            self.casualties(element, incident.casualties, f"{path}.casualties")
        if incident.resources_requested:
            self.resources(element, incident.resources_requested,
                           f"{path}.resources_requested")
        if incident.caller is not None:
            caller = self.sub(element, "Caller")
            for tag, name in (("Name", "name"), ("Phone", "phone"), ("Notes", "notes")):
                if getattr(incident.caller, name) is not None:
                    self.sub(caller, tag, getattr(incident.caller, name),
                             f"{path}.caller.{name}")
        if incident.methane is not None:
            self.methane(element, incident.methane, f"{path}.methane")
        if incident.medical is not None:
            self.sub(element, "Medical", incident.medical, f"{path}.medical")
        for tag, name, markers in (("Vulnerability", "vulnerability", "flags"),
                                   ("OfficerSafety", "officer_safety", "markers")):
            value = getattr(incident, name)
            if value is None:
                continue
            group = self.sub(element, tag)
            for index, marker in enumerate(getattr(value, markers)):
                self.sub(group, "Marker", marker, f"{path}.{name}.{markers}[{index}]")
            if value.notes is not None:
                self.sub(group, "Notes", value.notes, f"{path}.{name}.notes")
        if incident.intelligence is not None:
            self.sub(element, "Intelligence", incident.intelligence, f"{path}.intelligence")

    def history(self, parent: etree._Element, records: list[UpdateRecord]) -> None:
        element = self.sub(parent, "History")
        for index, record in enumerate(records):
            entry = self.sub(element, "Entry")
            self.sub(entry, "Version", record.version)
            self.sub(entry, "At", datetime.fromtimestamp(record.at, UTC))
            self.sub(entry, "From", record.by, f"updates[{index}].by")
            if record.message_id is not None:
                self.sub(entry, "MessageID", record.message_id, f"updates[{index}].message_id")
            if record.text:  # absent: withheld from this reader, or purged
                self.sub(entry, "Text", record.text, f"updates[{index}].text")

    def update(self, parent: etree._Element, update: IncidentUpdate, path: str) -> None:
        element = self.sub(parent, "Update")
        self.sub(element, "Text", update.text, f"{path}.text")
        if update.priority is not None:
            self.sub(element, "Priority", update.priority)
        if update.summary is not None:
            self.sub(element, "Summary", update.summary, f"{path}.summary")
        if update.location is not None:
            self.location(element, "Location", update.location, f"{path}.location")
        if update.hazards is not None:
            self.hazards(element, update.hazards, f"{path}.hazards")
        if update.casualties is not None:
            self.casualties(element, update.casualties, f"{path}.casualties")
        if update.resources_requested is not None:
            self.resources(element, update.resources_requested, f"{path}.resources_requested")
        if update.methane is not None:
            self.methane(element, update.methane, f"{path}.methane")


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    offset = value.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        value = value.astimezone(UTC)  # xs:dateTime offsets are whole minutes
    return value.isoformat()


def _require(value: object, field: str, kind: str) -> None:
    if value is None:
        raise CodecError(FORMAT, f"{field} is required for a {kind} message",
                         [FieldFault(field, "required")])


def encode(native: Native) -> Translation:
    kind = native.kind
    _require(native.sender, "sender", kind)
    body = {"incident": native.incident, "update": native.update, "closure": native.closure,
            "cancellation": native.reason, "acknowledgement": native.acknowledges}[kind]
    _require(body, {"cancellation": "reason"}.get(kind, kind), kind)
    if kind in ("update", "closure", "cancellation"):
        _require(native.reference, "reference", kind)
    losses = [path for path in present_fields(native)
              if not any(path == c or path.startswith(c + ".") for c in _CARRIED[kind])]

    w = _Writer()
    root = etree.Element(_q(ROOTS[kind]), nsmap={None: NS})
    header = w.sub(root, "Header")
    w.sub(header, "MessageID", native.message_id or str(uuid.uuid4()), "message_id")
    w.sub(header, "SentAt", native.sent_at or datetime.now(UTC))
    w.sub(header, "From", native.sender, "sender")
    for index, recipient in enumerate(native.recipients):
        w.sub(header, "To", recipient, f"recipients[{index}]")
    if native.reference is not None:
        w.sub(header, "IncidentReference", native.reference, "reference")

    if kind == "incident":
        w.incident(root, native.incident, "incident")
        if native.updates:
            w.history(root, native.updates)
    elif kind == "update":
        w.update(root, native.update, "update")
        if native.incident is not None:
            w.incident(root, native.incident, "incident")
    elif kind == "closure":
        w.sub(root, "Outcome", native.closure.outcome, "closure.outcome")
        if native.closure.text is not None:
            w.sub(root, "Text", native.closure.text, "closure.text")
    elif kind == "cancellation":
        w.sub(root, "Reason", native.reason, "reason")
    else:
        w.sub(root, "Acknowledges", native.acknowledges, "acknowledges")

    faults = w.faults + schema_faults(root)
    if faults:
        raise CodecError(FORMAT, "; ".join(f"{f.field}: {f.fault}" for f in faults[:5]),
                         faults)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Translation(data=data, media_type=MEDIA_TYPE, losses=losses)


# --- reading -------------------------------------------------------------------------

def _child(element: etree._Element, tag: str) -> etree._Element | None:
    return element.find(_q(tag))


def _text(element: etree._Element, tag: str) -> str | None:
    found = element.find(_q(tag))
    return None if found is None else (found.text or "")


def _texts(element: etree._Element | None, tag: str) -> list[str]:
    return [] if element is None else [c.text or "" for c in element.findall(_q(tag))]


def _time(element: etree._Element, tag: str) -> datetime:
    text = _text(element, tag).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        path = "".join(f"/{etree.QName(e).localname}"
                       for e in [*reversed(list(element.iterancestors())), element])
        raise CodecError(FORMAT, f"{tag}: {text!r} is a date and time bluelight cannot read",
                         [FieldFault(f"{path}/{tag}", "unsupported date and time")]) from None


def _location(element: etree._Element) -> dict:
    location: dict = {}
    if (uprn := _text(element, "UPRN")) is not None:
        location["uprn"] = uprn
    for group, pairs in (("GridReference", (("Easting", "easting"), ("Northing", "northing"))),
                         ("WGS84", (("Latitude", "lat"), ("Longitude", "lon")))):
        if (found := _child(element, group)) is not None:
            for tag, name in pairs:
                if (value := _text(found, tag)) is not None:
                    location[name] = float(value)
    for tag, name in (("Address", "address"), ("Description", "description")):
        if (value := _text(element, tag)) is not None:
            location[name] = value
    return location


def _casualties(element: etree._Element | None) -> list[dict]:
    if element is None:
        return []
    return [{"severity": _text(c, "Severity").strip(), "count": int(_text(c, "Count"))}
            for c in element.findall(_q("Casualty"))]


def _resources(element: etree._Element | None) -> list[dict]:
    if element is None:
        return []
    resources = []
    for item in element.findall(_q("Resource")):
        resource = {"kind": _text(item, "Kind"), "count": int(_text(item, "Count"))}
        if (note := _text(item, "Note")) is not None:
            resource["note"] = note
        resources.append(resource)
    return resources


def _methane(element: etree._Element) -> dict:
    return {
        "major_incident_declared": _text(element, "MajorIncidentDeclared").strip()
        in ("true", "1"),
        "exact_location": _text(element, "ExactLocation"),
        "type_of_incident": _text(element, "TypeOfIncident"),
        "hazards": _text(element, "Hazards"),
        "access": _text(element, "Access"),
        "number_of_casualties": _text(element, "NumberOfCasualties"),
        "emergency_services_present": _texts(_child(element, "EmergencyServicesPresent"),
                                             "Service"),
        "emergency_services_required": _texts(_child(element, "EmergencyServicesRequired"),
                                              "Service"),
    }


def _incident(element: etree._Element) -> dict:
    incident = {
        "reference": _text(element, "Reference"),
        "type": _text(element, "Type"),
        "priority": _text(element, "Priority"),
        "summary": _text(element, "Summary"),
        "location": _location(_child(element, "Location")),
        "created_at": _time(element, "CreatedAt"),
        "notes": _text(element, "Notes") or "",
        "hazards": _texts(_child(element, "Hazards"), "Hazard"),
        "casualties": _casualties(_child(element, "Casualties")),
        "resources_requested": _resources(_child(element, "ResourcesRequested")),
    }
    if (caller := _child(element, "Caller")) is not None:
        incident["caller"] = {name: value for tag, name in
                              (("Name", "name"), ("Phone", "phone"), ("Notes", "notes"))
                              if (value := _text(caller, tag)) is not None}
    if (methane := _child(element, "Methane")) is not None:
        incident["methane"] = _methane(methane)
    for tag, name in (("Medical", "medical"), ("Intelligence", "intelligence")):
        if (value := _text(element, tag)) is not None:
            incident[name] = value
    for tag, name, markers in (("Vulnerability", "vulnerability", "flags"),
                               ("OfficerSafety", "officer_safety", "markers")):
        if (group := _child(element, tag)) is not None:
            incident[name] = {markers: _texts(group, "Marker")}
            if (notes := _text(group, "Notes")) is not None:
                incident[name]["notes"] = notes
    return incident


def _update(element: etree._Element) -> dict:
    update: dict = {"text": _text(element, "Text")}
    if (priority := _text(element, "Priority")) is not None:
        update["priority"] = priority
    if (summary := _text(element, "Summary")) is not None:
        update["summary"] = summary
    if (location := _child(element, "Location")) is not None:
        update["location"] = _location(location)
    if (hazards := _child(element, "Hazards")) is not None:
        update["hazards"] = _texts(hazards, "Hazard")
    if (casualties := _child(element, "Casualties")) is not None:
        update["casualties"] = _casualties(casualties)
    if (resources := _child(element, "ResourcesRequested")) is not None:
        update["resources_requested"] = _resources(resources)
    if (methane := _child(element, "Methane")) is not None:
        update["methane"] = _methane(methane)
    return update


def decode(data: bytes) -> Translation:
    root = parse(data, FORMAT)
    name = etree.QName(root)
    if name.namespace != NS or name.localname not in KINDS:
        raise CodecError(FORMAT, f"not a bluelight MAIT message: <{name.localname}> in "
                         f"namespace {name.namespace or 'none'}",
                         [FieldFault(f"/{name.localname}",
                                     f"expected one of {', '.join(KINDS)} in {NS}")])
    faults = schema_faults(root)
    if faults:
        raise CodecError(FORMAT, "; ".join(f"{f.field}: {f.fault}" for f in faults[:5]),
                         faults)
    kind = KINDS[name.localname]
    header = _child(root, "Header")
    native: dict = {
        "kind": kind,
        "message_id": _text(header, "MessageID"),
        "sender": _text(header, "From"),
        "recipients": _texts(header, "To"),
        "sent_at": _time(header, "SentAt"),
    }
    if (reference := _text(header, "IncidentReference")) is not None:
        native["reference"] = reference
    if (incident := _child(root, "Incident")) is not None:
        native["incident"] = _incident(incident)
    if kind == "update":
        native["update"] = _update(_child(root, "Update"))
    elif kind == "closure":
        closure = {"outcome": _text(root, "Outcome")}
        if (text := _text(root, "Text")) is not None:
            closure["text"] = text
        native["closure"] = closure
    elif kind == "cancellation":
        native["reason"] = _text(root, "Reason")
    elif kind == "acknowledgement":
        native["acknowledges"] = _text(root, "Acknowledges")
    try:
        result = msgspec.convert(native, Native, builtin_types=(datetime,))
    except msgspec.ValidationError as exc:
        fault = validation_fault(str(exc))
        raise CodecError(FORMAT, f"{fault.field}: {fault.fault}", [fault]) from None
    return Translation(native=result,
                       losses=["updates"] if _child(root, "History") is not None else [])

