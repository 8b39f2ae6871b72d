"""PIDF-LO (RFC 4119, civic addresses RFC 5139, shapes RFC 5491): the location format of
an EIDO, read into an address and a WGS84 point, and written from them."""

from __future__ import annotations

import math
import re

from lxml import etree

from bluelight.hub.adapters.codecs import xmlsafe
from bluelight.hub.adapters.codecs.base import CodecError
from bluelight.hub.adapters.codecs.eido.fields import fail, join
from bluelight.hub.adapters.codecs.eido.profile import FORMAT

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


def read_pidf_lo(text: str, path: str, losses: list[str]
                 ) -> tuple[str | None, float | None, float | None]:
    """Address text and WGS84 position from a PIDF-LO document. The elements a native
    location cannot carry are added to `losses`."""
    body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text).strip()
    try:
        root = xmlsafe.parse(body.encode("utf-8"), FORMAT)
    except CodecError as exc:
        fault = exc.faults[0].fault if exc.faults else "not a PIDF-LO document"
        raise fail(path, f"PIDF-LO: {fault}") from None
    address: str | None = None
    point: tuple[float, float] | None = None
    for info in root.iter(f"{{{NS_GP}}}location-info"):
        for child in info:
            if not isinstance(child.tag, str):
                continue
            namespace, name = _split_tag(child.tag)
            if namespace == NS_CA and name == "civicAddress" and address is None:
                address = _civic(child, join(path, "civicAddress"), losses)
            elif namespace in (NS_GML, NS_GS) and point is None:
                point = _shape_centre(child, join(path, name))
                if name != "Point" or len(_numbers(child)) > 2:
                    losses.append(join(path, name))  # uncertainty, altitude
            else:
                losses.append(join(path, name))
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
                        losses.append(join(join(path, "usage-rules"), rule_name))
            else:
                losses.append(join(path, name))
    if address is None and point is None and root.find(f".//{{{NS_GP}}}geopriv") is None:
        raise fail(path, "PIDF-LO: no geopriv location")
    lat, lon = point if point else (None, None)
    return address, lat, lon


def _civic(element: etree._Element, path: str, losses: list[str]) -> str | None:
    values: dict[str, str] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        _, name = _split_tag(child.tag)
        value = " ".join((child.text or "").split())  # xs:token: whitespace collapses
        if name in values or (name not in _CIVIC_ORDER and name not in _STREET):
            losses.append(join(path, name))
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
        raise fail(path, f"srsName {srs!r} is not WGS84 (EPSG::4326 or EPSG::4979)")
    try:
        numbers = _numbers(shape)
    except ValueError:
        raise fail(path, "coordinates must be numbers") from None
    dims = 3 if srs and srs.endswith("4979") else 2
    if not numbers or len(numbers) % dims:
        raise fail(path, "no position (gml:pos)")
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
        raise fail(path, "position is not a WGS84 latitude and longitude")
    return lat, lon
