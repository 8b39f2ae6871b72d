"""The one vocabulary for the services that work together: the hub's agency directory,
the collaboration register's partners and the estates tool's organisations all use it."""

from __future__ import annotations

from enum import StrEnum


class Service(StrEnum):
    """A kind of public service. The blue-light three come first, then the other
    emergency responders, then the partners a collaboration may include.

    The estates report (Audit Wales, Exhibit 3) keeps lifeboats, search and rescue and
    the coastguard apart, so they stay three members. `other-responder` is an emergency
    responder not listed; `other` is any other partner (a business, a university)."""

    POLICE = "police"
    FIRE = "fire"
    AMBULANCE = "ambulance"
    COASTGUARD = "coastguard"
    LIFEBOAT = "lifeboat"
    SEARCH_AND_RESCUE = "search-and-rescue"  # mountain rescue, lowland search
    LOCAL_AUTHORITY = "local-authority"
    OTHER_RESPONDER = "other-responder"
    HEALTH = "health"
    GOVERNMENT = "government"
    JUSTICE = "justice"
    VOLUNTARY = "voluntary"
    OTHER = "other"


BLUE_LIGHT = frozenset({Service.POLICE, Service.FIRE, Service.AMBULANCE})
