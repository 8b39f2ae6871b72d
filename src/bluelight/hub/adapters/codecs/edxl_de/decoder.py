"""Decoding: a valid message in its JSON shape -> a native message, and the foreign
fields it could not carry (see "Mapping" and "Losses" in docs/codecs/edxl-de.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from bluelight.hub.adapters.codecs.base import CodecError, Native
from bluelight.hub.adapters.codecs.edxl_de.datetimes import parse_datetime
from bluelight.hub.adapters.codecs.edxl_de.node import Node, unused
from bluelight.hub.adapters.codecs.edxl_de.profile import (
    EMBEDDED_MESSAGE_PATH,
    FORMAT,
    HUB_SCHEME,
    SUPPORTED_KINDS,
)
from bluelight.hub.adapters.codecs.edxl_de.references import REFERENCE, as_reference, case_id
from bluelight.hub.adapters.codecs.edxl_de.tables import (
    TRIAGE,
    cisu_type,
    emsi_type,
    label_type,
    victim_casualties,
)
from bluelight.hub.adapters.codecs.edxl_de.validation import fault_summary
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

# Where decode's loss paths start for the embedded message.
_MSG = "message"


class Decoder:
    def __init__(self, doc: dict):
        self.doc = doc
        self.used: set[str] = set()
        self.losses: list[str] = []
        self.faults: list[FieldFault] = []

    def fault(self, field: str, fault: str) -> None:
        self.faults.append(FieldFault(field, fault))

    def raise_faults(self) -> None:
        if self.faults:
            raise CodecError(FORMAT, fault_summary(self.faults), self.faults)

    def run(self) -> tuple[Native, list[str]]:
        doc = self.doc
        if doc["distributionStatus"] != "Actual":
            raise CodecError(FORMAT, "exercise messages are not accepted", [FieldFault(
                "$.distributionStatus", f"'{doc['distributionStatus']}' is not accepted: "
                "bluelight has no exercise flag, only Actual messages are mapped")])
        self.sender = doc["senderID"]
        self.sent_at = parse_datetime(doc["dateTimeSent"])
        self.message_id = doc["distributionID"]
        address = doc["descriptor"]["explicitAddress"]
        self.recipients = [address["explicitAddressValue"]]
        if address["explicitAddressScheme"] != HUB_SCHEME:
            self.losses.append("descriptor.explicitAddress.explicitAddressScheme")
        self.losses += ["dateTimeExpires", "descriptor.language"]
        message = Node(doc["content"][0]["jsonContent"]["embeddedJsonContent"]["message"],
                       _MSG, "$.content[0]" + EMBEDDED_MESSAGE_PATH, self.used)
        self._header(message)
        kind = next(k for k in SUPPORTED_KINDS if k in message.data)
        mappers = {"createCase": self._create_case, "emsi": self._emsi,
                   "reference": self._acknowledgement, "error": self._error}
        native = mappers[kind](message.node(kind))
        self.raise_faults()
        unused(message.data, _MSG, self.used, self.losses)
        native = msgspec.structs.replace(native, message_id=self.message_id,
                                         sender=self.sender, sent_at=self.sent_at,
                                         recipients=self.recipients)
        return native, list(dict.fromkeys(self.losses))

    def _header(self, message: Node) -> None:
        if message.peek("messageId") == self.message_id:
            message.use("messageId")
        sender = message.node("sender")
        if sender is not None:
            sender.use("name")
            if sender.peek("URI") in (f"{HUB_SCHEME}:{self.sender}", self.sender):
                sender.use("URI")
        sent = message.peek("sentAt")
        if isinstance(sent, str) and parse_datetime(sent) == self.sent_at:
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

    def _reference(self, node: Node, shared_key: str, local_key: str) -> str | None:
        shared, local = node.peek(shared_key), node.peek(local_key)
        shared = shared if isinstance(shared, str) and shared else None
        local = local if isinstance(local, str) and local else None
        if local and REFERENCE.match(local) and shared == case_id(local, self.sender):
            node.use(shared_key, local_key)
            return local
        if shared:
            node.use(shared_key)
            mine = f"{self.sender}."
            rest = shared[len(mine):] if shared.startswith(mine) else None
            if (local is None and rest and REFERENCE.match(rest)
                    and case_id(rest, self.sender) == shared):
                return rest
            reference = as_reference(shared)
            if reference != shared:
                self.losses.append(f"{node.path}.{shared_key}")
            return reference
        if local:
            node.use(local_key)
            reference = as_reference(local)
            if reference != local:
                self.losses.append(f"{node.path}.{local_key}")
            return reference
        self.fault(f"{node.jpath}.{shared_key}", "required: the case has no id")
        return None

    def _time(self, node: Node | None, key: str) -> datetime | None:
        if node is None or node.peek(key) is None:
            return None
        value = node.peek(key)
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            self.fault(f"{node.jpath}.{key}", "must be a date-time with a UTC offset")
            return None
        node.use(key)
        return parsed

    def _coordinates(self, node: Node | None, lat_key: str, lon_key: str
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

    def _create_case(self, case: Node) -> Native:
        reference = self._reference(case, "caseId", "senderCaseId")
        created_at = self._time(case, "creation")
        qualification = case.node("qualification")
        alert = case.node("initialAlert")
        notes = [t for t in case.strs("freetext") if t]

        what = qualification.node("whatsHappen") if qualification else None
        code = what.str("code") if what else None
        label = what.str("label") if what else None
        incident_type = cisu_type(code) or label_type(label)
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

    def _qualification(self, qualification: Node | None
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
                casualties = victim_casualties(count)
                if count not in ("0", "1"):
                    self.losses.append(f"{victims.path}.count")
            main, free = victims.str("mainVictim"), victims.str("freetext")
            parts = [f"main victim {_VICTIMS.get(main, main)}" if main else None, free]
            if any(parts):
                notes.append("Victims: " + "; ".join(p for p in parts if p))
        return hazards, notes, casualties

    def _case_location(self, loc: Node | None, qualification: Node | None) -> Location:
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

    def _caller(self, caller: Node | None) -> CallerContact | None:
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

    def _emsi(self, emsi: Node) -> Native:
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
        incident_type = emsi_type(etype)
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

    def _emsi_location(self, event: Node) -> Location | None:
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

    def _emsi_casualties(self, event: Node) -> list[CasualtyCount] | None:
        reports = event.nodes("CASUALTIES")
        if not reports:
            return None
        if len(reports) > 1:
            self.losses.append(f"{event.path}.CASUALTIES")  # earlier reports
        report = reports[-1]
        counts: dict[Severity, int] = {}
        for key, severity in TRIAGE:
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

    def _missions(self, emsi: Node) -> list[ResourceRequest] | None:
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

    def _acknowledgement(self, ref: Node) -> Native:
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

    def _error(self, error: Node) -> Native:
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
