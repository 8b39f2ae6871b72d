"""Writing: a native message -> a CAP alert, a public warning, so personal data never
goes in it (see docs/codecs/cap.md for the mapping)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import msgspec
from lxml import etree

from bluelight.hub.adapters.codecs import methane as methane_text
from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.cap.profile import (
    CANCELLED_PREFIX,
    CLOSED_PREFIX,
    COORDS,
    FORMAT,
    HAZARDS_PREFIX,
    LANGUAGE,
    MEDIA_TYPE,
    METHANE_MARK,
    NS,
    TYPE_CODE,
    UPDATE_EVENT,
    q,
    read_hazards,
)
from bluelight.hub.adapters.codecs.cap.tables import CATEGORIES, URGENCY_SEVERITY
from bluelight.hub.adapters.codecs.cap.xsd import schema_faults
from bluelight.hub.adapters.codecs.methane import present_fields
from bluelight.hub.domain.incident import (
    INCIDENT_TYPE_LABELS,
    IncidentType,
    Location,
    Methane,
    Priority,
)
from bluelight.kernel.errors import FieldFault

_CAP_ID = re.compile(r"[^\s,<&]+")  # identifier/sender: no spaces, commas, < or &
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class _Writer:
    """Builds the alert and records what it could not carry."""

    def __init__(self) -> None:
        self.losses: list[str] = []

    def lose(self, path: str) -> None:
        if path not in self.losses:
            self.losses.append(path)

    def clean(self, value: str, path: str) -> str:
        """The text without characters XML cannot hold (control characters)."""
        cleaned = _NOT_XML.sub("", value)
        if cleaned != value:
            self.lose(path)
        return cleaned

    def time(self, value: datetime, path: str) -> str:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        offset = value.utcoffset()
        if offset is not None and offset.total_seconds() % 60:
            value = value.astimezone(UTC)  # CAP offsets are whole minutes
        if value.microsecond:
            self.lose(path)
        text = value.replace(microsecond=0).isoformat()
        return text[:-6] + "-00:00" if text.endswith("+00:00") else text


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, q(tag))
    if text is not None:
        element.text = text
    return element


def _number(value: float) -> str:
    """Exact and without an exponent: float() of it gives the value back."""
    return format(Decimal(repr(value)), "f")


def _clean_methane(w: _Writer, methane: Methane, path: str) -> Methane:
    changes = {name: w.clean(getattr(methane, name), f"{path}.{name}")
               for name in ("exact_location", "type_of_incident", "hazards", "access",
                            "number_of_casualties")}
    for name in ("emergency_services_present", "emergency_services_required"):
        services = [w.clean(s, f"{path}.{name}") for s in getattr(methane, name)]
        changes[name] = services
    cleaned = msgspec.structs.replace(methane, **changes)
    for loss in methane_text.text_losses(cleaned, path):
        w.lose(loss)
    return cleaned


def _description(w: _Writer, summary: str | None, body: str, methane: Methane | None,
                 path: str) -> str:
    parts = [summary] if summary else []
    if body:
        parts.append(body)
    if methane is not None:
        text = methane_text.to_text(_clean_methane(w, methane, path)).rstrip("\n")
        parts.append(f"{METHANE_MARK}\n{text}")
    return "\n\n".join(parts)


def _hazards(w: _Writer, hazards: list[str], path: str) -> str | None:
    cleaned = [w.clean(h, path) for h in hazards]
    if not cleaned:
        return None
    text = HAZARDS_PREFIX + "; ".join(cleaned)
    if read_hazards(text) != cleaned:
        w.lose(path)
    return text


def _area(w: _Writer, info: etree._Element, location: Location, path: str) -> None:
    has_point = location.lat is not None and location.lon is not None
    for name in ("uprn", "easting", "northing", "description"):
        if getattr(location, name) is not None:
            w.lose(f"{path}.{name}")
    if not has_point:
        for name in ("lat", "lon"):
            if getattr(location, name) is not None:
                w.lose(f"{path}.{name}")
    address = w.clean(location.address, f"{path}.address") if location.address else ""
    if location.address is not None and (not address.strip() or COORDS.fullmatch(address)):
        w.lose(f"{path}.address")
        address = ""
    described = address or (w.clean(location.description or "", f"{path}.description"))
    if not (has_point or described):
        return
    area = _sub(info, "area")
    if not described:
        described = f"{_number(location.lat)},{_number(location.lon)}"
    _sub(area, "areaDesc", described)
    if has_point:
        _sub(area, "circle", f"{_number(location.lat)},{_number(location.lon)} 0")


def _info(w: _Writer, alert: etree._Element, *, type_: IncidentType | None,
          priority: Priority | None, headline: str | None, description: str,
          instruction: str | None, onset: str | None, location: Location | None,
          location_path: str) -> None:
    info = _sub(alert, "info")
    _sub(info, "language", LANGUAGE)
    for category in CATEGORIES[type_] if type_ else ("Other",):
        _sub(info, "category", category)
    _sub(info, "event", INCIDENT_TYPE_LABELS[type_] if type_ else UPDATE_EVENT)
    urgency, severity = URGENCY_SEVERITY[priority] if priority else ("Unknown", "Unknown")
    _sub(info, "urgency", urgency)
    _sub(info, "severity", severity)
    _sub(info, "certainty", "Observed")
    if type_:
        code = _sub(info, "eventCode")
        _sub(code, "valueName", TYPE_CODE)
        _sub(code, "value", str(type_))
    if onset:
        _sub(info, "onset", onset)
    if headline:
        _sub(info, "headline", headline)
    if description:
        _sub(info, "description", description)
    if instruction:
        _sub(info, "instruction", instruction)
    if location is not None:
        _area(w, info, location, location_path)


def _cap_id(w: _Writer, value: str | None, path: str) -> str | None:
    if value is None:
        return None
    if _CAP_ID.fullmatch(value) and not _NOT_XML.search(value):
        return value
    w.lose(path)
    return None


# What each kind carries; any other field set is lost.
_CARRIED = {
    "incident": {"kind", "message_id", "sender", "sent_at", "reference", "incident.reference",
                 "incident.type", "incident.priority", "incident.summary",
                 "incident.location", "incident.location.lat", "incident.location.lon",
                 "incident.location.address", "incident.created_at",
                 "incident.hazards", "incident.methane"},
    "update": {"kind", "message_id", "sender", "sent_at", "reference", "update.text",
               "update.priority", "update.summary", "update.location", "update.location.lat",
               "update.location.lon", "update.location.address", "update.hazards",
               "update.methane"},
    "closure": {"kind", "message_id", "sender", "sent_at", "reference", "closure.outcome",
                "closure.text"},
    "cancellation": {"kind", "message_id", "sender", "sent_at", "reference", "reason"},
}


def _carried(kind: str, path: str) -> bool:
    return any(path == c or path.startswith(c + ".") for c in _CARRIED[kind])


def encode(native: Native) -> Translation:
    kind = native.kind
    if kind == "acknowledgement":
        raise CodecError(FORMAT, "acknowledgements are not published as CAP alerts",
                         [FieldFault("kind", "acknowledgement has no public alert")])
    payload = {"incident": native.incident, "update": native.update,
               "closure": native.closure, "cancellation": native.reason}[kind]
    if payload is None:
        raise CodecError(FORMAT, f"a {kind} message without its {kind}",
                         [FieldFault(kind if kind != "cancellation" else "reason",
                                     "required")])
    if not native.sender:
        raise CodecError(FORMAT, "a CAP alert names its sender",
                         [FieldFault("sender", "required")])
    w = _Writer()
    for path in present_fields(native):
        if not _carried(kind, path):
            w.lose(path)

    sender = _cap_id(w, native.sender, "sender")
    if sender is None:
        raise CodecError(FORMAT, "the sender cannot be a CAP sender (no spaces, commas, < "
                         "or &)", [FieldFault("sender", "not a CAP identifier")])
    identifier = _cap_id(w, native.message_id, "message_id") or f"urn:uuid:{uuid.uuid4()}"
    incident = native.incident if kind == "incident" else None
    sent = native.sent_at or (incident.created_at if incident else None) or datetime.now(UTC)

    alert = etree.Element(q("alert"), nsmap={None: NS})
    _sub(alert, "identifier", identifier)
    _sub(alert, "sender", sender)
    # When there is no sent_at, the incident's created_at stands in: its seconds are
    # reported under incident.created_at (onset), so nothing is lost here.
    _sub(alert, "sent", (w if native.sent_at else _Writer()).time(sent, "sent_at"))
    _sub(alert, "status", "Actual")
    _sub(alert, "msgType", {"incident": "Alert", "update": "Update"}.get(kind, "Cancel"))
    _sub(alert, "scope", "Public")
    if kind == "closure":
        closure = native.closure
        outcome = w.clean(closure.outcome, "closure.outcome")
        if "\n\n" in outcome:
            w.lose("closure.outcome")
            outcome = re.sub(r"\n\n+", "\n", outcome)
        note = CLOSED_PREFIX + outcome
        if closure.text is not None:
            note += "\n\n" + w.clean(closure.text, "closure.text")
        _sub(alert, "note", note)
    elif kind == "cancellation":
        _sub(alert, "note", CANCELLED_PREFIX + w.clean(native.reason, "reason"))
    references = []
    for ref, path in ((native.reference, "reference"),
                      (incident.reference if incident else None, "incident.reference")):
        if ref is not None and ref not in references:
            references.append(w.clean(ref, path))
    if references:
        _sub(alert, "incidents", " ".join(references))

    if incident is not None:
        summary = w.clean(incident.summary, "incident.summary")
        _info(w, alert, type_=incident.type, priority=incident.priority, headline=summary,
              # Never the free-text notes: a public alert must not carry what a caller
              # or an operator wrote about people. They are listed as lost instead.
              description=_description(w, summary, "", incident.methane, "incident.methane"),
              instruction=_hazards(w, incident.hazards, "incident.hazards"),
              onset=w.time(incident.created_at, "incident.created_at"),
              location=incident.location, location_path="incident.location")
    elif kind == "update":
        update = native.update
        summary = w.clean(update.summary, "update.summary") if update.summary else None
        if update.hazards == []:
            w.lose("update.hazards")  # "no hazards now" has no instruction to say it
        _info(w, alert, type_=None, priority=update.priority, headline=summary,
              description=_description(w, summary, w.clean(update.text, "update.text"),
                                       update.methane, "update.methane"),
              instruction=_hazards(w, update.hazards or [], "update.hazards"), onset=None,
              location=update.location, location_path="update.location")

    faults = schema_faults(alert)
    if faults:  # a bug here, never the caller's data: say so loudly
        raise CodecError(FORMAT, "the alert written does not validate against CAP 1.2",
                         faults)
    data = etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Translation(data=data, media_type=MEDIA_TYPE, losses=w.losses)
