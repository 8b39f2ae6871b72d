"""Reading: a CAP alert -> a native message, and the elements it could not carry (see
docs/codecs/cap.md for the mapping)."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import datetime

import msgspec
from lxml import etree

from bluelight.hub.adapters.codecs import methane as methane_text
from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.cap.profile import (
    CANCELLED_PREFIX,
    CLOSED_PREFIX,
    COORDS,
    FORMAT,
    NS,
    TYPE_CODE,
    UPDATE_EVENT,
    q,
    read_hazards,
)
from bluelight.hub.adapters.codecs.cap.tables import TYPE_OF_CATEGORY, TYPE_OF_EVENT
from bluelight.hub.adapters.codecs.cap.xsd import schema_faults
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

_METHANE_BLOCK = re.compile(r"(?:^|\n\n)M/ETHANE\n")
_ADDRESS = re.compile(r'"([^"]*)"|(\S+)')


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
    return [child.text or "" for child in element.findall(q(tag))]


def _text(element: etree._Element, tag: str) -> str | None:
    found = element.find(q(tag))
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
    areas = info.findall(q("area"))
    if not areas:
        return None
    shaped = [a for a in areas if a.find(q("circle")) is not None
              or a.find(q("polygon")) is not None]
    area = shaped[0] if shaped else areas[0]
    for position, other in enumerate(areas, start=1):
        if other is not area:
            r.lose(f"/alert/info/area[{position}]")
    base = "/alert/info/area"
    for tag in ("geocode", "altitude", "ceiling"):
        if area.find(q(tag)) is not None:
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
    if described and not COORDS.fullmatch(described):
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
    hazards = read_hazards(instruction) if instruction is not None else None
    if instruction and hazards is None:
        rest = f"{rest}\n\n{instruction}" if rest else instruction
    return rest, hazards, methane


def _type(info: etree._Element) -> IncidentType:
    for code in info.findall(q("eventCode")):
        if _text(code, "valueName") == TYPE_CODE:
            try:
                return IncidentType(_text(code, "value"))
            except ValueError:
                break
    event = _text(info, "event") or ""
    for pattern, type_ in TYPE_OF_EVENT:
        if pattern.search(event):
            return type_
    for category in _texts(info, "category"):
        if category in TYPE_OF_CATEGORY:
            return TYPE_OF_CATEGORY[category]
    return IncidentType.OTHER


_INFO_EXTRAS = ("responseType", "audience", "effective", "expires", "senderName", "web",
                "contact", "parameter", "resource")


def _info_losses(r: _Reader, info: etree._Element, *, summary_from_headline: bool,
                 type_: IncidentType | None) -> None:
    for tag in _INFO_EXTRAS:
        if info.find(q(tag)) is not None:
            r.lose(f"/alert/info/{tag}")
    if any(_text(c, "valueName") != TYPE_CODE for c in info.findall(q("eventCode"))):
        r.lose("/alert/info/eventCode")
    if _text(info, "certainty") not in ("Observed", None):
        r.lose("/alert/info/certainty")
    event = _text(info, "event")
    expected = INCIDENT_TYPE_LABELS[type_] if type_ else UPDATE_EVENT
    if summary_from_headline and event != expected:
        r.lose("/alert/info/event")


def _choose_info(r: _Reader, alert: etree._Element) -> etree._Element | None:
    infos = alert.findall(q("info"))
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
    if alert.tag != q("alert"):
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
        if alert.find(q(tag)) is not None:
            r.lose(f"/alert/{tag}")
    if alert.find("{http://www.w3.org/2000/09/xmldsig#}Signature") is not None:
        r.lose("/alert/Signature")
    if msg_type in ("Alert", "Update") and alert.find(q("note")) is not None:
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
    if msg_type == "Alert" and alert.find(q("references")) is not None:
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
            if info.find(q("onset")) is not None:
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
        if alert.find(q("note")) is not None:
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
