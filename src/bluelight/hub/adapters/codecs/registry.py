"""Which codec handles which format, and telling a document's format from its content."""

from __future__ import annotations

import importlib
import json
import re
from types import ModuleType

from lxml import etree

from bluelight.hub.adapters.codecs import xmlsafe
from bluelight.hub.adapters.codecs.base import CodecError
from bluelight.kernel.errors import FieldFault

MODULES = {
    "bluelight": "bluelight.hub.adapters.codecs.bluelight_json",
    "eido": "bluelight.hub.adapters.codecs.eido",
    "edxl-de": "bluelight.hub.adapters.codecs.edxl_de",
    "cap": "bluelight.hub.adapters.codecs.cap",
    "mait-xml": "bluelight.hub.adapters.codecs.mait_xml",
    "methane": "bluelight.hub.adapters.codecs.methane",
}
FORMATS = tuple(MODULES)



def codec(name: str) -> ModuleType:
    if name not in MODULES:
        raise CodecError(name, f"unknown format {name!r}; known: {', '.join(FORMATS)}",
                         [FieldFault("format", "unknown")])
    try:
        return importlib.import_module(MODULES[name])
    except ModuleNotFoundError as exc:
        if exc.name != MODULES[name]:
            raise
        raise CodecError(name, f"the {name} codec is not installed in this build",
                         [FieldFault("format", "not available")]) from None


def detect(data: bytes) -> str:
    """The format of a document, judged from its content alone."""
    head = data.lstrip()[:1]
    if head == b"<":
        # Through the safe parser: a DTD is refused here, before any codec sees it.
        root = xmlsafe.parse(data, "xml")
        namespace = etree.QName(root).namespace or ""
        if "emergency:cap" in namespace:
            return "cap"
        if "EDXL:DE" in namespace or "edxl" in namespace.lower():
            return "edxl-de"
        if namespace.startswith("urn:bluelight:mait"):
            return "mait-xml"
        raise CodecError("xml", f"unrecognised XML document (namespace {namespace or 'none'})",
                         [FieldFault("(document)", "unknown XML vocabulary")])
    if head in (b"{", b"["):
        try:
            document = json.loads(data)
        except (ValueError, RecursionError):  # nested past the parser's limit: no 500
            raise CodecError("json", "not valid JSON",
                             [FieldFault("(document)", "not valid JSON")]) from None
        if isinstance(document, dict):
            if "distributionID" in document or "senderID" in document:
                return "edxl-de"
            if "eidoVersion" in document or "incidentComponent" in document:
                return "eido"
            if "message_id" in document and "incident" in document:
                return "bluelight"
        raise CodecError("json", "unrecognised JSON document",
                         [FieldFault("(document)", "not EIDO, EDXL-DE or a bluelight message")])
    if re.match(rb"\s*(M\b|E\b|MAJOR INCIDENT|METHANE|ETHANE)", data[:200], re.I):
        return "methane"
    raise CodecError("unknown", "the format could not be recognised",
                     [FieldFault("(document)", "unknown format")])
