"""The hub's EDXL-DE profile: its names, namespaces and media types, the envelope's
fields and values, and the content kinds a CISU message can carry."""

from __future__ import annotations

from datetime import timedelta

FORMAT = "edxl-de"
EDXL_NS = "urn:oasis:names:tc:emergency:EDXL:DE:2.0"
CISU_NS = "urn:emergency:cisu:2.0"
JSON_MEDIA_TYPE = "application/json"
XML_MEDIA_TYPE = "application/xml"
HUB_SCHEME = "hubex"
LANGUAGE = "en-GB"
REFERENCE_VERSION = "1.3"  # the CISU nomenclature version whose codes encode writes
EXPIRY = timedelta(days=1)

# The JSON path of the embedded message inside a content object.
EMBEDDED_MESSAGE_PATH = ".jsonContent.embeddedJsonContent.message"

ENVELOPE_FIELDS = ("distributionID", "senderID", "dateTimeSent", "dateTimeExpires",
                   "distributionStatus", "distributionKind", "descriptor", "content")
DISTRIBUTION_STATUSES = ("Actual", "Exercise")
DISTRIBUTION_KINDS = ("Report", "Update", "Cancel", "Ack", "Error")
MESSAGE_STATUSES = ("Actual", "Exercise", "System")

# Every content kind of the hub, and whether it needs the RC-DE header (as EDXL-DE-full's
# oneOf says). Used when no schema directory is given, or it lacks EDXL-DE-full.
BUILTIN_CONTENT_KINDS: dict[str, bool] = {
    "technical": True, "technicalNoreq": False, "distributionElement": False,
    "createCase": True, "createCaseHealth": True, "createCaseHealthUpdate": True,
    "reference": True, "emsi": True, "resourcesInfo": True, "resourcesInfoCisu": True,
    "resourcesEngagement": True, "resourcesStatus": True, "resourcesRequest": True,
    "resourcesResponse": True, "rpis": True, "interventionReport": True,
    "documentLink": True, "geoPositionsUpdate": True, "geoResourcesRequest": True,
    "geoResourcesDetails": True, "appointment": True, "customContent": False, "error": False,
}
SUPPORTED_KINDS = ("createCase", "emsi", "reference", "error")
