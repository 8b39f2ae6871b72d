"""Hypothesis strategies for native bluelight messages, shared by the codec tests.

`incidents()` draws incidents the hub would accept: valid references, types and
priorities, a location that locates something (UPRN, BNG or WGS84 inside Great Britain,
or an address), realistic UK phone numbers, timezone-aware creation times, and text
without control characters in bounded sizes (fast to generate and to shrink)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from bluelight.hub.domain.agency import AGENCY_ID_PATTERN, Service
from bluelight.hub.domain.incident import (
    UPRN_PATTERN,
    CallerContact,
    CasualtyCount,
    Incident,
    IncidentType,
    Location,
    Methane,
    OfficerSafety,
    Priority,
    ResourceRequest,
    Severity,
    Vulnerability,
)
from bluelight.kernel.geography import BNG_EASTING, BNG_NORTHING, WGS84_LAT, WGS84_LON

REFERENCE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}"

# Printable text: no control characters (Cc), no unassigned code points or
# non-characters (Cn: U+FFFE/U+FFFF are not allowed in XML), no surrogates (Cs).
_CHARS = st.characters(exclude_categories=("Cc", "Cs", "Cn"))


def text(min_size: int = 0, max_size: int = 80) -> st.SearchStrategy[str]:
    return st.text(_CHARS, min_size=min_size, max_size=max_size)


def words(max_words: int = 8) -> st.SearchStrategy[str]:
    """Non-blank text with single spaces between words and none at either end, like
    an address line (formats whose values are whitespace-collapsed keep it exactly)."""
    # Without the separator categories (Zs, Zl, Zp) no character is whitespace to
    # str.split(): every other whitespace character is a control character (Cc).
    word = st.text(st.characters(exclude_categories=("Cc", "Cs", "Cn", "Zs", "Zl", "Zp")),
                   min_size=1, max_size=12)
    return st.lists(word, min_size=1, max_size=max_words).map(" ".join)


def non_blank(max_size: int = 80) -> st.SearchStrategy[str]:
    return text(1, max_size).filter(lambda s: s.strip() != "")


references = st.from_regex(REFERENCE_PATTERN, fullmatch=True)
agency_ids = st.builds(
    lambda country, service, organisation: f"{country}.{service}.{organisation}",
    st.sampled_from(["uk", "gb", "ie"]),
    st.sampled_from([s.value for s in Service]),
    st.from_regex(r"[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,2}", fullmatch=True),
).filter(lambda agency: re.match(AGENCY_ID_PATTERN, agency) is not None)

labels = text(1, 60)

# Ofcom's drama ranges and realistic layouts: 029 2018 0xxx, 07700 900xxx, +44 ...
phones = st.one_of(
    st.from_regex(r"029 2018 0[0-9]{3}", fullmatch=True),
    st.from_regex(r"07700 900[0-9]{3}", fullmatch=True),
    st.from_regex(r"01[0-9]{3} [0-9]{6}", fullmatch=True),
    st.from_regex(r"\+44 [1-9][0-9]{1,3} [0-9]{3,4} [0-9]{4}", fullmatch=True),
    st.sampled_from(["999", "112", "101", "111"]),
)

_ZONES = [
    UTC,
    ZoneInfo("Europe/London"),
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(minutes=-1, seconds=-15)),  # an offset with seconds (historic LMT)
]
aware_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
    timezones=st.sampled_from(_ZONES), allow_imaginary=False,  # no times in a DST gap
)


def _coordinate(bounds: tuple[float, float]) -> st.SearchStrategy[float]:
    return st.floats(min_value=bounds[0], max_value=bounds[1], allow_nan=False,
                     allow_infinity=False)


@st.composite
def locations(draw: st.DrawFn) -> Location:
    """A location inside GB with at least one of UPRN, BNG, WGS84 or address."""
    required = draw(st.sampled_from(["address", "wgs", "bng", "uprn"]))

    def maybe(name: str, strategy: st.SearchStrategy) -> object:
        return draw(strategy if name == required else st.none() | strategy)

    uprn = maybe("uprn", st.from_regex(UPRN_PATTERN, fullmatch=True))
    bng = maybe("bng", st.tuples(_coordinate(BNG_EASTING), _coordinate(BNG_NORTHING)))
    wgs = maybe("wgs", st.tuples(_coordinate(WGS84_LAT), _coordinate(WGS84_LON)))
    return Location(
        uprn=uprn,
        easting=bng[0] if bng else None,
        northing=bng[1] if bng else None,
        lat=wgs[0] if wgs else None,
        lon=wgs[1] if wgs else None,
        address=maybe("address", words()),
        description=draw(st.none() | non_blank(120)),
    )


callers = st.builds(
    CallerContact,
    name=st.none() | non_blank(60),
    phone=st.none() | phones,
    notes=st.none() | text(1, 120),
)

methanes = st.builds(
    Methane,
    major_incident_declared=st.booleans(),
    exact_location=text(0, 60),
    type_of_incident=text(0, 60),
    hazards=text(0, 60),
    access=text(0, 60),
    number_of_casualties=text(0, 30),
    emergency_services_present=st.lists(labels, max_size=3),
    emergency_services_required=st.lists(labels, max_size=3),
)


def incidents() -> st.SearchStrategy[Incident]:
    """Valid native incidents, every optional part sometimes present."""
    return st.builds(
        Incident,
        reference=references,
        type=st.sampled_from(IncidentType),
        priority=st.sampled_from(Priority),
        summary=text(1, 200),
        location=locations(),
        created_at=aware_datetimes,
        notes=st.just("") | text(1, 300),
        hazards=st.lists(labels, max_size=5),
        casualties=st.lists(st.builds(CasualtyCount, severity=st.sampled_from(Severity),
                                      count=st.integers(0, 100)), max_size=3),
        resources_requested=st.lists(
            st.builds(ResourceRequest, kind=labels, count=st.integers(1, 20),
                      note=st.none() | text(1, 60)),
            max_size=3),
        caller=st.none() | callers,
        methane=st.none() | methanes,
        medical=st.none() | text(1, 200),
        vulnerability=st.none() | st.builds(Vulnerability, flags=st.lists(labels, max_size=3),
                                            notes=st.none() | text(1, 80)),
        officer_safety=st.none() | st.builds(OfficerSafety,
                                             markers=st.lists(labels, max_size=3),
                                             notes=st.none() | text(1, 80)),
        intelligence=st.none() | text(1, 200),
    )


def special_losses(incident: Incident) -> set[str]:
    """The special categories a standard without a place for them must name as lost:
    each set field, or each set member of a group (flags, markers, notes)."""
    lost = {f"incident.{name}" for name in ("medical", "intelligence")
            if getattr(incident, name) is not None}
    for name, markers in (("vulnerability", "flags"), ("officer_safety", "markers")):
        group = getattr(incident, name)
        if group is not None:
            parts = [p for p in (markers, "notes") if getattr(group, p) not in (None, [])]
            lost |= {f"incident.{name}.{p}" for p in parts} or {f"incident.{name}"}
    return lost
