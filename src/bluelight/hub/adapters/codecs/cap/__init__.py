"""OASIS Common Alerting Protocol 1.2: incidents out as public alerts, alerts in as incidents.

    decode(data) -> Translation
    encode(native) -> Translation

The official OASIS schema (codecs/schemas/CAP-v1.2.xsd) checks every alert read and written.

Writing makes a public warning, so personal data never goes in it; reading imports only
Actual alerts. The mapping field by field and what each direction loses are described
in docs/codecs/cap.md. The modules: `profile` (names and our own text layout), `tables`
(code tables), `xsd` (the official schema), `encoder` (writing) and `decoder` (reading).
"""

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.cap.decoder import decode
from bluelight.hub.adapters.codecs.cap.encoder import encode
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
)
from bluelight.hub.adapters.codecs.cap.tables import CATEGORIES, URGENCY_SEVERITY
from bluelight.hub.adapters.codecs.cap.xsd import SCHEMA_PATH, schema, schema_faults

_COORDS = COORDS  # the name it had before the split (test_cap reads it)

__all__ = [
    "CANCELLED_PREFIX", "CATEGORIES", "CLOSED_PREFIX", "COORDS", "FORMAT", "HAZARDS_PREFIX",
    "LANGUAGE", "MEDIA_TYPE", "METHANE_MARK", "NS", "SCHEMA_PATH", "TYPE_CODE", "UPDATE_EVENT",
    "URGENCY_SEVERITY", "CodecError", "Native", "Translation", "decode", "encode", "schema",
    "schema_faults",
]
