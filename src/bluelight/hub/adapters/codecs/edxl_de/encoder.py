"""Encoding: a native message -> an EDXL-DE message in its JSON shape, and the native
fields it could not carry (see "Mapping" and "Losses" in docs/codecs/edxl-de.md)."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

from bluelight.hub.adapters.codecs import special
from bluelight.hub.adapters.codecs.base import CodecError, Native
from bluelight.hub.adapters.codecs.edxl_de.datetimes import format_datetime
from bluelight.hub.adapters.codecs.edxl_de.profile import (
    EXPIRY,
    FORMAT,
    HUB_SCHEME,
    LANGUAGE,
    REFERENCE_VERSION,
)
from bluelight.hub.adapters.codecs.edxl_de.references import case_id
from bluelight.hub.adapters.codecs.edxl_de.tables import (
    CISU_CODES,
    EMSI_CATEGORIES,
    OTHER_CODE,
    TRIAGE,
    risk_code,
    victim_casualties,
)
from bluelight.hub.domain.incident import (
    CasualtyCount,
    Incident,
    IncidentType,
    IncidentUpdate,
    Location,
    Priority,
    Severity,
)
from bluelight.kernel.errors import FieldFault


class Encoder:
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
        sent_text = format_datetime(sent)
        expires = format_datetime((sent if sent.tzinfo else sent.replace(tzinfo=UTC))
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
        created = format_datetime(incident.created_at)
        if incident.created_at.microsecond:
            self.losses.append("incident.created_at")
        if incident.type in CISU_CODES:
            code, _ = CISU_CODES[incident.type]
        else:
            code = OTHER_CODE
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
            if victim_casualties(band) != incident.casualties:
                self.losses.append("incident.casualties")
        location = self._case_location(incident, created)
        case: dict[str, Any] = {
            "caseId": case_id(reference, sender), "senderCaseId": reference,
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
                "id": f"{case_id(reference, sender)}.alert", "reception": created,
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
            context["CREATION"] = format_datetime(native.sent_at)
        if text:
            context["FREETEXT"] = text
        event = {"ID": reference, "MAIN_EVENT_ID": case_id(reference, native.sender)}
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
        if incident is not None and incident.type in EMSI_CATEGORIES:
            event["ETYPE"] = {"CATEGORY": [EMSI_CATEGORIES[incident.type]],
                              "ACTOR": ["ANI" if incident.type == IncidentType.ANIMAL else "PPL"],
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
                        for k, s in TRIAGE if k in report and report[k] > 0]
            if expected != update.casualties:
                self.losses.append("update.casualties")
        for name in ("hazards", "resources_requested"):
            if getattr(update, name):
                self.losses.append(f"update.{name}")
        self._methane(update.methane, "update")
        return emsi


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
