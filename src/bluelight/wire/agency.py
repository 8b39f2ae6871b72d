"""Agencies: the control rooms that exchange incidents through the hub, as the agency
directory (`GET /v1/agencies`) shows them."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

from bluelight.wire.service import Service

# country.service.organisation, each part lower-case letters, digits and hyphens.
# A fourth part is allowed for sub-units (e.g. a single control room of a large force).
AGENCY_ID_PATTERN = r"^[a-z]{2}(\.[a-z0-9]+(-[a-z0-9]+)*){2,3}$"

AgencyId = Annotated[
    str,
    msgspec.Meta(
        pattern=AGENCY_ID_PATTERN,
        max_length=120,
        description="Hierarchical agency id: country.service.organisation, e.g. uk.fire.south-wales",
        examples=["uk.fire.south-wales"],
    ),
]


class MessageFormat(StrEnum):
    """The standard an agency's systems speak. The hub translates between them."""

    BLUELIGHT = "bluelight"  # the hub's own JSON (the /v1 API)
    EIDO = "eido"  # NENA STA-021 Emergency Incident Data Object (JSON)
    EDXL_DE = "edxl-de"  # OASIS EDXL-DE 2.0 with CISU/EMSI content (France's health hub)
    CAP = "cap"  # OASIS CAP 1.2 public alert (XML)
    MAIT_XML = "mait-xml"  # bluelight's reading of the UK MAIT profile (XML)


class Agency(msgspec.Struct, frozen=True, kw_only=True):
    """An entry of the agency directory. The phone number is what an operator rings
    when an electronic transfer is overdue, so it is required."""

    id: AgencyId
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    service: Service
    phone: Annotated[str, msgspec.Meta(min_length=3, max_length=40)]
    ack_deadline_s: Annotated[float, msgspec.Meta(gt=0)] | None = None
    decision_deadline_s: Annotated[float, msgspec.Meta(gt=0)] | None = None
    format: MessageFormat = MessageFormat.BLUELIGHT
