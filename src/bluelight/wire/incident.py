"""The incident as it passes between control rooms.

The types are msgspec Structs: one definition gives validation, JSON (de)serialisation
and the JSON Schema published in the OpenAPI document, for the hub and the SDK alike.
They carry no I/O.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec

Text = Annotated[str, msgspec.Meta(max_length=500)]
LongText = Annotated[str, msgspec.Meta(max_length=10_000)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]

# OS AddressBase / Open UPRN identifiers are positive integers of up to 12 digits.
UPRN_PATTERN = r"^[1-9][0-9]{0,11}$"
Uprn = Annotated[
    str,
    msgspec.Meta(
        pattern=UPRN_PATTERN,
        description="Unique Property Reference Number: 1 to 12 digits, no leading zero",
        examples=["10033544614"],
    ),
]
Reference = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$",
        description="The sender's own incident reference (letters, digits, . _ : -; up to 64)",
        examples=["SWP-20261123-0042"],
    ),
]


class IncidentType(StrEnum):
    """The common reasons one control room hands an incident to another."""

    ROAD_TRAFFIC_COLLISION = "road-traffic-collision"
    FIRE = "fire"
    CONCERN_FOR_WELFARE = "concern-for-welfare"  # includes effecting entry
    MEDICAL = "medical"  # includes co-responding
    FLOOD_WATER_RESCUE = "flood-water-rescue"
    HAZARDOUS_MATERIALS = "hazardous-materials"
    POLICE_ASSISTANCE = "police-assistance"
    ANIMAL = "animal"
    MAJOR_INCIDENT = "major-incident"
    OTHER = "other"


class Priority(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"
    LOW = "low"


class Severity(StrEnum):
    FATAL = "fatal"
    SERIOUS = "serious"
    MINOR = "minor"
    UNINJURED = "uninjured"
    UNKNOWN = "unknown"


class Location(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Where the incident is. Any of UPRN, British National Grid (EPSG:27700) or WGS84
    (EPSG:4326) may be given; the hub fills in the others. Coordinates alone are valid."""

    uprn: Uprn | None = None
    easting: Annotated[float, msgspec.Meta(description="BNG easting, metres")] | None = None
    northing: Annotated[float, msgspec.Meta(description="BNG northing, metres")] | None = None
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    address: Text | None = None
    description: Text | None = None


class CasualtyCount(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    severity: Severity
    count: Annotated[int, msgspec.Meta(ge=0, le=100_000)]


class ResourceRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    kind: Label
    count: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    note: Text | None = None


class CallerContact(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Personal data: who called and how to reach them."""

    name: Text | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40)] | None = None
    notes: Text | None = None


class Vulnerability(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Personal data: vulnerability and safeguarding flags (e.g. "child at risk",
    "lives alone", "mental health crisis")."""

    flags: Annotated[list[Label], msgspec.Meta(max_length=20)] = []
    notes: Text | None = None


class OfficerSafety(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Officer-safety and firearms markers on the location or the people involved
    (e.g. "firearms licence holder", "violent towards staff", "dangerous dog")."""

    markers: Annotated[list[Label], msgspec.Meta(max_length=20)] = []
    notes: Text | None = None


class Methane(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """JESIP M/ETHANE: the shared situation report for a (possible) major incident."""

    major_incident_declared: bool
    exact_location: Text
    type_of_incident: Text
    hazards: Text
    access: Text
    number_of_casualties: Text
    emergency_services_present: list[Label] = []
    emergency_services_required: list[Label] = []


class Incident(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    reference: Reference
    type: IncidentType
    priority: Priority
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    location: Location
    created_at: Annotated[datetime, msgspec.Meta(tz=True)]
    # What the sender wrote when sending. Updates never append to it: each update's text
    # is a record of its own (UpdateRecord), so the incident as it stands stays the same
    # size however many updates it has.
    notes: Annotated[str, msgspec.Meta(
        max_length=10_000,
        description="The sender's notes, as sent with the incident. Updates do not change "
                    "them: each update's text is kept in the incident's update history "
                    "(GET /v1/transfers/{transfer_id}/updates)")] = ""
    hazards: Annotated[list[Label], msgspec.Meta(max_length=50)] = []
    casualties: Annotated[list[CasualtyCount], msgspec.Meta(max_length=10)] = []
    resources_requested: Annotated[list[ResourceRequest], msgspec.Meta(max_length=50)] = []
    caller: CallerContact | None = None
    methane: Methane | None = None
    # Special categories of personal data. Each flows to a partner only where a
    # data-sharing agreement allows its class (see bluelight.hub.domain.sharing).
    medical: Annotated[str, msgspec.Meta(
        max_length=10_000, description="Clinical details: conditions, medication, allergies")
    ] | None = None
    vulnerability: Vulnerability | None = None
    officer_safety: OfficerSafety | None = None
    intelligence: Annotated[str, msgspec.Meta(
        max_length=10_000, description="Criminal-intelligence notes")] | None = None


class IncidentUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """A change to an incident already sent. `text` is always sent and becomes a record
    of its own in the incident's update history; any other field given replaces the
    current value."""

    text: Annotated[str, msgspec.Meta(
        min_length=1, max_length=10_000,
        description="What has changed, in words. Kept as its own record in the incident's "
                    "update history; it is not appended to the notes")]
    priority: Priority | None = None
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None
    location: Location | None = None
    hazards: Annotated[list[Label], msgspec.Meta(max_length=50)] | None = None
    casualties: Annotated[list[CasualtyCount], msgspec.Meta(max_length=10)] | None = None
    resources_requested: Annotated[list[ResourceRequest], msgspec.Meta(max_length=50)] | None = None
    methane: Methane | None = None


class UpdateRecord(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One update in an incident's history: who sent it, when, under which message, and
    its text. The history is kept beside the incident, one record per update, and read a
    page at a time."""

    version: Annotated[int, msgspec.Meta(
        ge=1, description="1 for the incident's first update, then 2, 3...")]
    at: Annotated[float, msgspec.Meta(
        description="When the hub stored it (seconds since the epoch, UTC)")]
    by: Annotated[str, msgspec.Meta(description="The agency that sent it")]
    message_id: Annotated[str | None, msgspec.Meta(
        description="The sender's id of the message it came in. None only for text that "
                    "migration 0006 moved out of notes it could not attribute to an update")
    ] = None
    text: Annotated[str | None, msgspec.Meta(
        description="What the sender wrote. Left out when a data-sharing agreement withholds "
                    "it from you or the retention purge removed it")] = None
