"""The message in its JSON shape, read from JSON or from the XML form, and the XML form
written from it (see "XML form" in docs/codecs/edxl-de.md)."""

from __future__ import annotations

from typing import Any

import msgspec
from lxml import etree

from bluelight.hub.adapters.codecs.base import CodecError
from bluelight.hub.adapters.codecs.edxl_de.profile import (
    CISU_NS,
    EDXL_NS,
    ENVELOPE_FIELDS,
    FORMAT,
    JSON_MEDIA_TYPE,
    XML_MEDIA_TYPE,
)
from bluelight.hub.adapters.codecs.edxl_de.validation import fault_summary
from bluelight.hub.adapters.codecs.xmlsafe import MAX_BYTES, parse
from bluelight.kernel.errors import FieldFault


def load(data: bytes) -> tuple[dict | Any, str]:
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
        raise CodecError(FORMAT, fault_summary(faults), faults)
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


def to_xml(doc: dict) -> bytes:
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
