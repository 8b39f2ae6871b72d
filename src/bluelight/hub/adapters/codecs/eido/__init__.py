"""NENA STA-021 Emergency Incident Data Object (EIDO), JSON  <->  bluelight's incident.

    decode(data, *, schema_dir=None) -> Translation
    encode(native, *, schema_dir=None) -> Translation

An EIDO is one JSON object: a prologue ($id = the incident tracking id, last update
time, owning agency), an `incidentComponent`, and arrays of linked data components
(notes, locations, persons, callbacks, cautions, agencies, calls...) that refer to each
other by `{"$ref": <$id>}`. Locations travel as PIDF-LO XML (RFC 4119/5139/5491).

The mapping field by field, the losses and validation are described in
docs/codecs/eido.md. The modules: `profile` (names and constants), `schema` (the official
NENA schema, repaired in memory), `validation`, `reader` (the decoder's typed access to the
document), `decoder`, `encoder`, `pidf` (PIDF-LO locations), `tables` (code tables),
`notes` (HTML5 notes), `phones` (tel: URIs), `references` and `fields` (field paths and
faults).
"""

from bluelight.hub.adapters.codecs.base import CodecError, Native, Translation
from bluelight.hub.adapters.codecs.eido.decoder import decode
from bluelight.hub.adapters.codecs.eido.encoder import encode
from bluelight.hub.adapters.codecs.eido.notes import html_to_text, text_to_html
from bluelight.hub.adapters.codecs.eido.phones import phone_from_uri, tel_uri
from bluelight.hub.adapters.codecs.eido.pidf import (
    NS_CA,
    NS_GBP,
    NS_GML,
    NS_GP,
    NS_GS,
    NS_PIDF,
    pidf_lo,
)
from bluelight.hub.adapters.codecs.eido.profile import (
    AGENCY_ROLE,
    CALLER_ROLE,
    CAUTION_REGISTRY,
    CAUTION_SEVERITY,
    CONTEXT,
    EIDO_VERSION,
    FORMAT,
    HUB_ELEMENT,
    INCIDENT_ID_PREFIX,
    LOCATION_TYPE,
    MAX_BYTES,
    MAX_FAULTS,
    MEDIA_TYPE,
)
from bluelight.hub.adapters.codecs.eido.references import sanitise_reference
from bluelight.hub.adapters.codecs.eido.tables import TYPE_TO_REGISTRY, agency_types

__all__ = [
    "AGENCY_ROLE", "CALLER_ROLE", "CAUTION_REGISTRY", "CAUTION_SEVERITY", "CONTEXT",
    "EIDO_VERSION", "FORMAT", "HUB_ELEMENT", "INCIDENT_ID_PREFIX", "LOCATION_TYPE",
    "MAX_BYTES", "MAX_FAULTS", "MEDIA_TYPE", "NS_CA", "NS_GBP", "NS_GML", "NS_GP", "NS_GS",
    "NS_PIDF", "TYPE_TO_REGISTRY", "CodecError", "Native", "Translation", "agency_types",
    "decode", "encode", "html_to_text", "phone_from_uri", "pidf_lo", "sanitise_reference",
    "tel_uri", "text_to_html",
]
