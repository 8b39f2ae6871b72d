"""OASIS Common Alerting Protocol 1.2: incidents out as public alerts, alerts in as incidents.

The official OASIS schema (schemas/CAP-v1.2.xsd) checks every alert read and written.

Writing (native -> CAP): a public warning, so personal data never goes in it.

    message_id          -> identifier (a new urn:uuid when absent or not a CAP id)
    sender              -> sender (required)
    sent_at             -> sent (whole seconds; UTC is written -00:00 as CAP says)
    kind                -> msgType: incident Alert, update Update, closure and
                           cancellation Cancel (acknowledgements are not published)
    reference, incident.reference -> incidents
    closure / reason    -> note ("Closed: <outcome>[\\n\\n<text>]" / "Cancelled: <reason>")
    incident.type       -> category (fire Fire, flood-water-rescue Met+Rescue, ...), event
                           (the type's label) and an eventCode urn:bluelight:incident-type
    incident.priority   -> urgency/severity (emergency Immediate/Extreme, urgent
                           Immediate/Severe, routine Expected/Moderate, low Future/Minor);
                           certainty is always Observed
    incident.summary    -> headline
    summary, methane -> description: the summary, then "M/ETHANE" and
                           the radio text of methane.to_text, separated by blank lines
    incident.hazards    -> instruction ("Hazards: a; b")
    location            -> area: areaDesc the address (else the description), circle
                           "lat,lon 0" when both coordinates are known
    created_at          -> info/onset (whole seconds)

    Lost (listed): recipients (a public alert has no addressees), caller (personal data:
    never written), casualties, resources_requested, location uprn/easting/northing and
    description, and anything a value cannot carry as it is.

Reading (CAP -> native): only Actual alerts; Alert -> incident, Update -> update,
Cancel -> closure or cancellation, Ack -> acknowledgement, Error is refused.

    identifier -> message_id; sender -> sender; sent -> sent_at; addresses -> recipients
    incidents (else, for a follow-up, the first message named in references, else the
    identifier), made to fit bluelight's pattern -> reference
    the English info block (else the first); its eventCode urn:bluelight:incident-type,
    else keywords in event (flood -> flood-water-rescue, fire, chemical, collision...),
    else category -> type; urgency/severity -> priority; headline, else event -> summary;
    description and instruction -> notes (our own layout is recognised, so hazards and
    M/ETHANE come back); onset, else sent -> created_at
    the first area with a shape: circle centre, else polygon centroid -> lat/lon;
    areaDesc -> address

    Lost (listed as element paths): the other info blocks and areas, a circle's radius,
    a polygon's outline, geocodes, altitude/ceiling, parameters, resources, web,
    contact, audience, responseType, effective/expires, senderName, a certainty other
    than Observed, code, note, source, restriction and signatures.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import msgspec
import xmlschema
from lxml import etree

from bluelight.hub.adapters.codecs import methane as methane_text
from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.methane import present_fields
from bluelight.hub.adapters.codecs.xmlsafe import parse
from bluelight.hub.domain.commands import Closure
from bluelight.hub.domain.incident import (
    INCIDENT_TYPE_LABELS,
    Incident,
    IncidentType,
    IncidentUpdate,
    Location,
    Methane,
    Priority,
)
from bluelight.kernel.errors import FieldFault, validation_fault

FORMAT = "cap"
MEDIA_TYPE = "application/cap+xml"
NS = "urn:oasis:names:tc:emergency:cap:1.2"
SCHEMA_PATH = Path(__file__).parent.parent / "schemas" / "CAP-v1.2.xsd"
LANGUAGE = "en-GB"
TYPE_CODE = "urn:bluelight:incident-type"  # eventCode valueName carrying our exact type
UPDATE_EVENT = "Incident update"
METHANE_MARK = "M/ETHANE"
HAZARDS_PREFIX = "Hazards: "
CLOSED_PREFIX = "Closed: "
CANCELLED_PREFIX = "Cancelled: "

CATEGORIES: dict[IncidentType, tuple[str, ...]] = {
    IncidentType.ROAD_TRAFFIC_COLLISION: ("Transport",),
    IncidentType.FIRE: ("Fire",),
    IncidentType.CONCERN_FOR_WELFARE: ("Rescue",),
    IncidentType.MEDICAL: ("Health",),
    IncidentType.FLOOD_WATER_RESCUE: ("Met", "Rescue"),
    IncidentType.HAZARDOUS_MATERIALS: ("CBRNE",),
    IncidentType.POLICE_ASSISTANCE: ("Security",),
    IncidentType.ANIMAL: ("Other",),
    IncidentType.MAJOR_INCIDENT: ("Safety",),
    IncidentType.OTHER: ("Other",),
}
# A foreign alert's category, when neither our eventCode nor its event names the type.
_TYPE_OF_CATEGORY = {
    "Fire": IncidentType.FIRE,
    "CBRNE": IncidentType.HAZARDOUS_MATERIALS,
    "Env": IncidentType.HAZARDOUS_MATERIALS,
    "Transport": IncidentType.ROAD_TRAFFIC_COLLISION,
    "Health": IncidentType.MEDICAL,
    "Security": IncidentType.POLICE_ASSISTANCE,
}
_TYPE_OF_EVENT = (
    (re.compile(r"flood|water rescue|tidal surge|storm surge|inundation", re.I),
     IncidentType.FLOOD_WATER_RESCUE),
    (re.compile(r"major incident", re.I), IncidentType.MAJOR_INCIDENT),
    (re.compile(r"\b(wild)?fires?\b|blaze|smoke", re.I), IncidentType.FIRE),
    (re.compile(r"chemical|hazmat|cbrn|gas leak|radiation|radiolog|toxic|pollution", re.I),
     IncidentType.HAZARDOUS_MATERIALS),
    (re.compile(r"collision|\brtc\b|crash|road traffic", re.I),
     IncidentType.ROAD_TRAFFIC_COLLISION),
    (re.compile(r"animal|livestock", re.I), IncidentType.ANIMAL),
)

URGENCY_SEVERITY = {
    Priority.EMERGENCY: ("Immediate", "Extreme"),
    Priority.URGENT: ("Immediate", "Severe"),
    Priority.ROUTINE: ("Expected", "Moderate"),
    Priority.LOW: ("Future", "Minor"),
}

_CAP_ID = re.compile(r"[^\s,<&]+")  # identifier/sender: no spaces, commas, < or &
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_COORDS = re.compile(r"\s*[-+]?\d+(\.\d+)?\s*,\s*[-+]?\d+(\.\d+)?\s*")
_METHANE_BLOCK = re.compile(r"(?:^|\n\n)M/ETHANE\n")
_ADDRESS = re.compile(r'"([^"]*)"|(\S+)')


@functools.cache
def schema() -> xmlschema.XMLSchema10:
    """The OASIS CAP 1.2 schema, from the package (never fetched)."""
    return xmlschema.XMLSchema10(str(SCHEMA_PATH))


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _error_path(error: xmlschema.XMLSchemaValidationError) -> str:
    return re.sub(r"\w+:", "", error.path or "/alert")


def schema_faults(root: etree._Element) -> list[FieldFault]:
    return [FieldFault(_error_path(e), e.reason or str(e)) for e in schema().iter_errors(root)]


# --- writing -------------------------------------------------------------------------

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
    element = etree.SubElement(parent, _q(tag))
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
    if _read_hazards(text) != cleaned:
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
    if location.address is not None and (not address.strip() or _COORDS.fullmatch(address)):
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

    alert = etree.Element(_q("alert"), nsmap={None: NS})
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


# --- reading -------------------------------------------------------------------------

def _read_hazards(instruction: str) -> list[str] | None:
    """The hazards, when the instruction is in our "Hazards: a; b" form."""
    if not instruction.startswith(HAZARDS_PREFIX):
        return None
    items = [item for item in instruction[len(HAZARDS_PREFIX):].split("; ") if item]
    if len(items) > 50 or not all(len(item) <= 200 for item in items):
        return None
    return items


def _reference(value: str) -> str:
    """A foreign id as a bluelight reference: ^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$."""
    ref = re.sub(r"[^A-Za-z0-9._:-]+", "-", value).lstrip("._:-")
    if not ref:
        return "CAP-" + hashlib.sha256(value.encode()).hexdigest()[:16]
    if len(ref) > 64:
        ref = ref[:47] + "-" + hashlib.sha256(value.encode()).hexdigest()[:16]
    return ref


def _priority(urgency: str, severity: str, *, required: bool) -> Priority | None:
    if urgency == "Past":
        return Priority.LOW
    if severity == "Extreme":
        return Priority.EMERGENCY
    if severity == "Severe":
        return Priority.URGENT
    if severity == "Moderate":
        return Priority.URGENT if urgency == "Immediate" else Priority.ROUTINE
    if severity == "Minor":
        return Priority.ROUTINE if urgency in ("Immediate", "Expected") else Priority.LOW
    if urgency == "Unknown" and not required:
        return None
    return {"Immediate": Priority.URGENT, "Future": Priority.LOW}.get(urgency, Priority.ROUTINE)


class _Reader:
    def __init__(self) -> None:
        self.losses: list[str] = []
        self.faults: list[FieldFault] = []

    def lose(self, path: str) -> None:
        if path not in self.losses:
            self.losses.append(path)

    def fit(self, value: str, limit: int, path: str) -> str:
        if len(value) > limit:
            self.lose(path)
            return value[:limit]
        return value


def _texts(element: etree._Element, tag: str) -> list[str]:
    return [child.text or "" for child in element.findall(_q(tag))]


def _text(element: etree._Element, tag: str) -> str | None:
    found = element.find(_q(tag))
    return None if found is None else (found.text or "")


def _point(r: _Reader, text: str, path: str) -> tuple[float, float] | None:
    try:
        lat_text, lon_text = text.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        r.faults.append(FieldFault(path, f"{text.strip()!r} is not 'lat,lon'"))
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90
            and -180 <= lon <= 180):
        r.faults.append(FieldFault(path, f"{text.strip()!r} is not a WGS84 point"))
        return None
    return lat, lon


def _centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    area = cx = cy = 0.0
    for (y0, x0), (y1, x1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    return cy / (3 * area), cx / (3 * area)


def _location(r: _Reader, info: etree._Element) -> Location | None:
    areas = info.findall(_q("area"))
    if not areas:
        return None
    shaped = [a for a in areas if a.find(_q("circle")) is not None
              or a.find(_q("polygon")) is not None]
    area = shaped[0] if shaped else areas[0]
    for position, other in enumerate(areas, start=1):
        if other is not area:
            r.lose(f"/alert/info/area[{position}]")
    base = "/alert/info/area"
    for tag in ("geocode", "altitude", "ceiling"):
        if area.find(_q(tag)) is not None:
            r.lose(f"{base}/{tag}")
    circles, polygons = _texts(area, "circle"), _texts(area, "polygon")
    point = None
    if circles:
        centre, _, radius = circles[0].strip().partition(" ")
        point = _point(r, centre, f"{base}/circle")
        try:
            if float(radius or 0) != 0:
                r.lose(f"{base}/circle")
        except ValueError:
            r.faults.append(FieldFault(f"{base}/circle", f"radius {radius!r} is not a number"))
        if len(circles) > 1:
            r.lose(f"{base}/circle")  # only the first circle's centre is kept
        if polygons:
            r.lose(f"{base}/polygon")
    elif polygons:
        r.lose(f"{base}/polygon")  # the outline: only its centroid is kept
        vertices = [_point(r, pair, f"{base}/polygon") for pair in polygons[0].split()]
        if len(vertices) < 3:
            r.faults.append(FieldFault(f"{base}/polygon", "a polygon needs 3 or more points"))
        elif all(vertices):
            point = _centroid(vertices)
    described = (_text(area, "areaDesc") or "").strip()
    address = None
    if described and not _COORDS.fullmatch(described):
        address = r.fit(_text(area, "areaDesc"), 500, f"{base}/areaDesc")
    lat, lon = point if point else (None, None)
    return Location(lat=lat, lon=lon, address=address)


def _body(r: _Reader, info: etree._Element) -> tuple[str, list[str] | None, Methane | None]:
    """(notes, hazards, methane) from description and instruction."""
    description = _text(info, "description") or ""
    headline = _text(info, "headline") or ""
    if headline and description == headline:
        rest = ""
    elif headline and description.startswith(headline + "\n\n"):
        rest = description[len(headline) + 2:]
    else:
        rest = description
    methane = None
    marks = list(_METHANE_BLOCK.finditer(rest))
    if marks:
        try:
            methane = methane_text.parse(rest[marks[-1].end():])
            rest = rest[:marks[-1].start()]
        except CodecError:
            methane = None
    instruction = _text(info, "instruction")
    hazards = _read_hazards(instruction) if instruction is not None else None
    if instruction and hazards is None:
        rest = f"{rest}\n\n{instruction}" if rest else instruction
    return rest, hazards, methane


def _type(info: etree._Element) -> IncidentType:
    for code in info.findall(_q("eventCode")):
        if _text(code, "valueName") == TYPE_CODE:
            try:
                return IncidentType(_text(code, "value"))
            except ValueError:
                break
    event = _text(info, "event") or ""
    for pattern, type_ in _TYPE_OF_EVENT:
        if pattern.search(event):
            return type_
    for category in _texts(info, "category"):
        if category in _TYPE_OF_CATEGORY:
            return _TYPE_OF_CATEGORY[category]
    return IncidentType.OTHER


_INFO_EXTRAS = ("responseType", "audience", "effective", "expires", "senderName", "web",
                "contact", "parameter", "resource")


def _info_losses(r: _Reader, info: etree._Element, *, summary_from_headline: bool,
                 type_: IncidentType | None) -> None:
    for tag in _INFO_EXTRAS:
        if info.find(_q(tag)) is not None:
            r.lose(f"/alert/info/{tag}")
    if any(_text(c, "valueName") != TYPE_CODE for c in info.findall(_q("eventCode"))):
        r.lose("/alert/info/eventCode")
    if _text(info, "certainty") not in ("Observed", None):
        r.lose("/alert/info/certainty")
    event = _text(info, "event")
    expected = INCIDENT_TYPE_LABELS[type_] if type_ else UPDATE_EVENT
    if summary_from_headline and event != expected:
        r.lose("/alert/info/event")


def _choose_info(r: _Reader, alert: etree._Element) -> etree._Element | None:
    infos = alert.findall(_q("info"))
    if not infos:
        return None
    english = [i for i in infos if (_text(i, "language") or "en-US").lower().startswith("en")]
    chosen = (english or infos)[0]
    for position, info in enumerate(infos, start=1):
        if info is not chosen:
            r.lose(f"/alert/info[{position}]")
    return chosen


def _first_referenced(alert: etree._Element) -> str | None:
    """The identifier of the first message named in references ("sender,id,sent ...")."""
    for triple in (_text(alert, "references") or "").split():
        parts = triple.split(",")
        if len(parts) == 3 and parts[1]:
            return parts[1]
    return None


def _parse_time(value: str, path: str) -> datetime:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:  # valid xs:dateTime that Python cannot hold, e.g. 24:00:00
        raise CodecError(FORMAT, f"{path}: {value!r} is a time bluelight cannot read",
                         [FieldFault(path, "unsupported date and time")]) from None


def decode(data: bytes) -> Translation:
    alert = parse(data, FORMAT)
    if alert.tag != _q("alert"):
        name = etree.QName(alert).localname
        namespace = etree.QName(alert).namespace or "none"
        raise CodecError(FORMAT, f"not a CAP 1.2 alert: <{name}> in namespace {namespace}",
                         [FieldFault(f"/{name}", f"expected <alert> in {NS}")])
    faults = schema_faults(alert)
    if faults:
        raise CodecError(FORMAT, "; ".join(f"{f.field}: {f.fault}" for f in faults[:5]), faults)
    status = _text(alert, "status")
    if status != "Actual":
        raise CodecError(FORMAT, f"only Actual alerts are imported, not {status}",
                         [FieldFault("/alert/status", f"{status}: not an actual alert")])
    msg_type = _text(alert, "msgType")
    if msg_type == "Error":
        raise CodecError(FORMAT, "an Error message has no bluelight equivalent",
                         [FieldFault("/alert/msgType", "Error is not imported")])
    r = _Reader()
    for tag in ("source", "restriction", "code"):
        if alert.find(_q(tag)) is not None:
            r.lose(f"/alert/{tag}")
    if alert.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None:
        r.lose("/alert/Signature")
    if msg_type in ("Alert", "Update") and alert.find(_q("note")) is not None:
        r.lose("/alert/note")

    identifier = _text(alert, "identifier")
    incidents = (_text(alert, "incidents") or "").split()
    if incidents:
        references = [_reference(i) for i in incidents]
        if len(incidents) > 2:
            r.lose("/alert/incidents")
    else:
        earlier = _first_referenced(alert) if msg_type != "Alert" else None
        references = [_reference(earlier or identifier)]
    if msg_type == "Alert" and alert.find(_q("references")) is not None:
        r.lose("/alert/references")
    addresses = [a or b for a, b in _ADDRESS.findall(_text(alert, "addresses") or "")]
    sent = _parse_time(_text(alert, "sent"), "/alert/sent")
    header = {"message_id": identifier, "sender": _text(alert, "sender"),
              "recipients": addresses, "sent_at": sent, "reference": references[0]}

    info = _choose_info(r, alert)
    if msg_type == "Alert":
        if info is None:
            raise CodecError(FORMAT, "an Alert with no info block has nothing to import",
                             [FieldFault("/alert/info", "required to import an alert")])
        type_ = _type(info)
        headline = _text(info, "headline") or ""
        summary = r.fit(headline if headline else
                        (_text(info, "event") or "").strip() or "CAP alert", 500,
                        "/alert/info/headline")
        _info_losses(r, info, summary_from_headline=bool(headline), type_=type_)
        notes, hazards, methane = _body(r, info)
        onset = _text(info, "onset")
        incident = Incident(
            reference=references[-1], type=type_,
            priority=_priority(_text(info, "urgency"), _text(info, "severity"), required=True),
            summary=summary, location=_location(r, info) or Location(),
            created_at=_parse_time(onset, "/alert/info/onset") if onset else sent,
            notes=r.fit(notes, 10_000, "/alert/info/description"), hazards=hazards or [],
            methane=methane)
        native = Native(kind="incident", incident=incident, **header)
    elif msg_type == "Update":
        update = None
        if info is not None:
            headline = _text(info, "headline")
            _info_losses(r, info, summary_from_headline=True, type_=None)
            if info.find(_q("onset")) is not None:
                r.lose("/alert/info/onset")
            notes, hazards, methane = _body(r, info)
            text = notes or headline or _text(info, "event") or UPDATE_EVENT
            update = IncidentUpdate(
                text=r.fit(text, 10_000, "/alert/info/description"),
                priority=_priority(_text(info, "urgency"), _text(info, "severity"),
                                   required=False),
                summary=r.fit(headline, 500, "/alert/info/headline") if headline else None,
                location=_location(r, info), hazards=hazards, methane=methane)
        else:
            update = IncidentUpdate(text=UPDATE_EVENT)
        native = Native(kind="update", update=update, **header)
    elif msg_type == "Cancel":
        if info is not None:
            r.lose("/alert/info")
        note = _text(alert, "note") or ""
        if note.startswith(CLOSED_PREFIX):
            outcome, separator, text = note[len(CLOSED_PREFIX):].partition("\n\n")
            closure = Closure(outcome=r.fit(outcome or "Closed", 1000, "/alert/note"),
                              text=r.fit(text, 10_000, "/alert/note") if separator else None)
            native = Native(kind="closure", closure=closure, **header)
        else:
            reason = note[len(CANCELLED_PREFIX):] if note.startswith(CANCELLED_PREFIX) else note
            native = Native(kind="cancellation", **header,
                            reason=r.fit(reason or "Cancelled by the sender", 1000,
                                         "/alert/note"))
    else:  # Ack
        if info is not None:
            r.lose("/alert/info")
        if alert.find(_q("note")) is not None:
            r.lose("/alert/note")
        native = Native(kind="acknowledgement", acknowledges=_first_referenced(alert), **header)

    if r.faults:
        raise CodecError(FORMAT, "; ".join(f"{f.field}: {f.fault}" for f in r.faults),
                         r.faults)
    try:  # the constraints the structs declare (lengths, patterns, ranges)
        native = msgspec.convert(msgspec.to_builtins(native, builtin_types=(datetime,)),
                                 Native, builtin_types=(datetime,))
    except msgspec.ValidationError as exc:
        fault = validation_fault(str(exc))
        raise CodecError(FORMAT, f"{fault.field}: {fault.fault}", [fault]) from None
    return Translation(native=native, losses=r.losses)
