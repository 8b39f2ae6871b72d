"""The EIDO as this codec reads and writes it: names, limits, the version, and the
constants the encoder writes."""

from __future__ import annotations

FORMAT = "eido"
MEDIA_TYPE = "application/json"
MAX_BYTES = 1_000_000
MAX_FAULTS = 20
EIDO_VERSION = "1.0"
CONTEXT = {"@vocab": "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"}
INCIDENT_ID_PREFIX = "urn:emergency:uid:incidentid:"
HUB_ELEMENT = "bluelight"  # our element id when the native message names no sender

# Constants this encoder writes: reading them back carries no information.
AGENCY_ROLE = ["Dispatch"]
LOCATION_TYPE = "Incident"
CALLER_ROLE = "Caller"
CAUTION_REGISTRY = "Other"
CAUTION_SEVERITY = "normal"
