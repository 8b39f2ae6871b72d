"""OASIS EDXL-DE 2.0 as France's health hub (Hub Santé: SAMU 15 <-> fire NexSIS 18) uses it.

The envelope is EDXL-DE 2.0; its one content object carries a CISU message: a distribution
element (RC-DE: messageId, sender, sentAt, kind, status, recipient) plus exactly one content
kind. bluelight maps four kinds: `createCase` (RC-EDA, inter-service case creation), `emsi`
(ISO/TR 22351 EMSI), `reference` (RC-REF, acknowledgement) and `error` (RS-ERROR).

    decode(data, *, schema_dir=None) -> Translation   # JSON or XML, detected by first byte
    encode(native, *, form="json") -> Translation      # form "json" or "xml"

The mapping field by field, validation, losses, case references and the XML form are
described in docs/codecs/edxl-de.md. The modules: `profile` (names and constants),
`schema` (the upstream JSON Schemas), `validation` (against them, or structurally),
`xmljson` (the XML form), `node`, `decoder`, `encoder`, `tables` (code tables),
`references` (case ids) and `datetimes`.
"""

from __future__ import annotations

import json
from pathlib import Path

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.edxl_de.decoder import Decoder
from bluelight.hub.adapters.codecs.edxl_de.encoder import Encoder
from bluelight.hub.adapters.codecs.edxl_de.profile import (
    BUILTIN_CONTENT_KINDS,
    CISU_NS,
    DISTRIBUTION_KINDS,
    DISTRIBUTION_STATUSES,
    EDXL_NS,
    ENVELOPE_FIELDS,
    EXPIRY,
    FORMAT,
    HUB_SCHEME,
    JSON_MEDIA_TYPE,
    LANGUAGE,
    MESSAGE_STATUSES,
    REFERENCE_VERSION,
    SUPPORTED_KINDS,
    XML_MEDIA_TYPE,
)
from bluelight.hub.adapters.codecs.edxl_de.schema import HubSchemas, load_schemas
from bluelight.hub.adapters.codecs.edxl_de.tables import risk_code
from bluelight.hub.adapters.codecs.edxl_de.validation import fault_summary, validate
from bluelight.hub.adapters.codecs.edxl_de.xmljson import load, to_xml
from bluelight.kernel.errors import FieldFault

# None: structural validation only. The application may point it at the schema directory
# (`edxl_de.DEFAULT_SCHEMA_DIR = ...`): decode, below, reads it here at each call.
DEFAULT_SCHEMA_DIR: Path | None = None


def decode(data: bytes, *, schema_dir: Path | None = None) -> Translation:
    """An EDXL-DE message (JSON or XML) as a native message, and what it could not carry."""
    doc, media_type = load(data)
    directory = schema_dir if schema_dir is not None else DEFAULT_SCHEMA_DIR
    schemas = load_schemas(Path(directory).resolve()) if directory is not None else None
    faults = validate(doc, schemas)
    if faults:
        raise CodecError(FORMAT, fault_summary(faults), faults)
    native, losses = Decoder(doc).run()
    return Translation(native=native, media_type=media_type, losses=losses)


def encode(native: Native, *, form: str = "json") -> Translation:
    """A native message as an EDXL-DE message in the hub's JSON (or XML) form."""
    if form not in ("json", "xml"):
        raise CodecError(FORMAT, f"unknown form {form!r}",
                         [FieldFault("form", "must be 'json' or 'xml'")])
    encoder = Encoder(native)
    doc = encoder.document()
    if form == "json":
        data = json.dumps(doc, ensure_ascii=False, indent=2).encode()
        media_type = JSON_MEDIA_TYPE
    else:
        data = to_xml(doc)
        media_type = XML_MEDIA_TYPE
    return Translation(data=data, media_type=media_type,
                       losses=list(dict.fromkeys(encoder.losses)))


__all__ = [
    "BUILTIN_CONTENT_KINDS", "CISU_NS", "DEFAULT_SCHEMA_DIR", "DISTRIBUTION_KINDS",
    "DISTRIBUTION_STATUSES", "EDXL_NS", "ENVELOPE_FIELDS", "EXPIRY", "FORMAT", "HUB_SCHEME",
    "JSON_MEDIA_TYPE", "LANGUAGE", "MESSAGE_STATUSES", "REFERENCE_VERSION", "SUPPORTED_KINDS",
    "XML_MEDIA_TYPE", "CodecError", "HubSchemas", "Native", "Translation", "decode",
    "encode", "load_schemas", "risk_code",
]
