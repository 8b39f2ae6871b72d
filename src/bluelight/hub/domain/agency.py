"""Agencies: the control rooms that exchange incidents through the hub. The types are
the wire's (bluelight.wire.agency); the rules that answer with a domain error are here."""

from __future__ import annotations

import re

from bluelight.kernel.errors import Invalid
from bluelight.wire.agency import AGENCY_ID_PATTERN, Agency, AgencyId, MessageFormat
from bluelight.wire.service import Service

# The wire types are re-exported so the server's imports of this module keep working.
__all__ = ["AGENCY_ID_PATTERN", "Agency", "AgencyId", "MessageFormat", "Service",
           "check_agency_id"]

_AGENCY_ID = re.compile(AGENCY_ID_PATTERN)


def check_agency_id(value: str) -> str:
    if len(value) > 120 or not _AGENCY_ID.match(value):
        raise Invalid.field(
            "id", "must be country.service.organisation in lower case, e.g. uk.fire.south-wales"
        )
    return value
