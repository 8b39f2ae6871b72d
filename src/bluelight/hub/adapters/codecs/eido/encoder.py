"""Encoding: a native incident -> an EIDO, and the native fields it could not carry (see
docs/codecs/eido.md for the mapping)."""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bluelight.hub.adapters.codecs import special
from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.eido import schema as eido_schema
from bluelight.hub.adapters.codecs.eido.notes import text_to_html
from bluelight.hub.adapters.codecs.eido.phones import tel_uri
from bluelight.hub.adapters.codecs.eido.pidf import pidf_lo
from bluelight.hub.adapters.codecs.eido.profile import (
    AGENCY_ROLE,
    CALLER_ROLE,
    CAUTION_REGISTRY,
    CAUTION_SEVERITY,
    CONTEXT,
    EIDO_VERSION,
    FORMAT,
    HUB_ELEMENT,
    INCIDENT_ID_PREFIX,
    LOCATION_TYPE,
    MEDIA_TYPE,
)
from bluelight.hub.adapters.codecs.eido.tables import TYPE_TO_REGISTRY, agency_types
from bluelight.hub.adapters.codecs.eido.validation import schema_dir_or_default
from bluelight.hub.domain.incident import INCIDENT_TYPE_LABELS, Location
from bluelight.kernel.errors import FieldFault

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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

    directory = schema_dir_or_default(schema_dir)
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
