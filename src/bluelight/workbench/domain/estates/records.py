"""The records of the estates tool: organisations, their buildings, building counts, fleet
and workforce lines, and the vocabularies their fields take."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal, get_args, get_type_hints

import msgspec

from bluelight.wire.service import Service

# The services the estates tool knows, in the order Exhibit 3 presents them (the order of
# the report's rows). A subset of `Service`: the report names three kinds of "emergency
# responder" (RNLI, search and rescue, coastguard) that must stay different services for
# the co-location finder, and has no health, government, justice, voluntary or "other"
# partners, so a CSV row or the map's filter naming one of those is refused as before.
ESTATES_SERVICES: tuple[Service, ...] = (
    Service.POLICE, Service.FIRE, Service.AMBULANCE, Service.LIFEBOAT,
    Service.SEARCH_AND_RESCUE, Service.COASTGUARD, Service.LOCAL_AUTHORITY,
    Service.OTHER_RESPONDER,
)
# The same subset as a type for a decoded input (the map's `service` filter): msgspec
# cannot put enum members in a Literal, so it holds their values; a value outside the
# subset gets msgspec's own "Invalid enum value" fault.
EstatesServiceName = Literal[tuple(s.value for s in ESTATES_SERVICES)]

BuildingType = Literal["station", "office", "control-room", "training", "workshop", "other"]
BUILDING_TYPES: tuple[str, ...] = get_args(BuildingType)
Tenure = Literal["owned", "leased"]
TENURES: tuple[str, ...] = get_args(Tenure)
Kind = Literal["buildings", "counts", "fleet", "workforce"]
KINDS: tuple[str, ...] = get_args(Kind)


class Organisation(msgspec.Struct, kw_only=True):
    id: str
    name: str
    service: Service

    def __post_init__(self) -> None:
        # The store hands the service back as the plain string it keeps.
        self.service = Service(self.service)


class Building(msgspec.Struct, kw_only=True):
    """A building of an organisation's estate: the one record of a building, from a CSV
    row to the map. `id` and `service` are None only on a building checked from a file
    and not yet stored: the store numbers it, and its service is its organisation's
    (a row may leave it out once the organisation is known). Every building read from
    the store has both."""

    id: int | None = None
    organisation: str
    service: Service | None = None
    name: str
    type: BuildingType
    tenure: Tenure
    address: str | None = None
    postcode: str | None = None
    uprn: int | None = None
    easting: float | None = None
    northing: float | None = None
    lat: float | None = None
    lon: float | None = None
    # Other organisations working from it (free names: the Ministry of Justice shares one).
    shared_with: list[str] = []

    def __post_init__(self) -> None:
        if self.service is not None:  # the store hands it back as a plain string
            self.service = Service(self.service)

    @property
    def located(self) -> bool:
        return self.easting is not None and self.northing is not None

    @property
    def shared(self) -> bool:
        return bool(self.shared_with)


# ---------------------------------------------------------------------------------------
# Projections of a building. The API shows buildings in two shapes older than the one
# `Building` type, whose JSON stays exactly as it was: a reference (distance answers,
# co-location pairs) without address and UPRN, and a map feature's properties without
# lat/lon (they are the feature's geometry) but with `shared`. Each shape lists only
# which of Building's fields (or properties) it shows, in its JSON order; their types
# and defaults come from `Building`, so a field is defined once.

# The API shows stored buildings only, so in a projection these are required and never
# null.
_STORED = ("id", "service")


def _not_null(tp: Any) -> Any:
    """`X | None` -> `X`."""
    (rest,) = (a for a in get_args(tp) if a is not type(None))
    return rest


def building_projection(name: str, fields: Sequence[str]) -> type[msgspec.Struct]:
    """A struct type named `name` with these of Building's fields or properties, in this
    order. Fill one with `project`."""
    infos = {f.name: f for f in msgspec.structs.fields(Building)}
    spec: list[tuple[Any, ...]] = []
    for field in fields:
        info = infos.get(field)
        if info is None:  # a property: computed, so always present
            spec.append((field, get_type_hints(getattr(Building, field).fget)["return"]))
        elif field in _STORED:
            spec.append((field, _not_null(info.type)))
        elif info.required:
            spec.append((field, info.type))
        elif info.default_factory is not msgspec.NODEFAULT:
            spec.append((field, info.type, msgspec.field(default_factory=info.default_factory)))
        else:
            spec.append((field, info.type, info.default))
    return msgspec.defstruct(name, spec, kw_only=True, module=__name__)


def project(building: Building, shape: type[msgspec.Struct]) -> Any:
    """`building` in the shape of a `building_projection`."""
    return shape(**{f: getattr(building, f) for f in shape.__struct_fields__})


BuildingRef = building_projection("BuildingRef", (
    "id", "organisation", "service", "name", "type", "tenure", "postcode", "easting",
    "northing", "lat", "lon", "shared_with"))
BuildingProperties = building_projection("BuildingProperties", (
    "id", "organisation", "service", "name", "type", "tenure", "address", "postcode", "uprn",
    "easting", "northing", "shared", "shared_with"))


# ---------------------------------------------------------------------------------------


class BuildingCount(msgspec.Struct, kw_only=True):
    """An organisation's estate as counts only, as Exhibit 3 publishes it. `owned` and
    `leased` are None where the source does not split them (Exhibit 3 does not)."""

    organisation: str
    buildings: int
    shared: int
    owned: int | None = None
    leased: int | None = None
    as_at: date | None = None
    source: str | None = None


class FleetLine(msgspec.Struct, kw_only=True):
    """One organisation's fleet, all of it (vehicle_type None) or one type of vehicle."""

    organisation: str
    vehicle_type: str | None = None
    vehicles: int
    maintenance_cost_pence: int
    mileage: int | None = None
    as_at: date | None = None
    source: str | None = None


class WorkforceLine(msgspec.Struct, kw_only=True):
    organisation: str
    role: str
    staff: int
    as_at: date | None = None
    source: str | None = None


class EstatesDataset(msgspec.Struct, kw_only=True):
    """A named set of figures. `synthetic` marks invented data, kept apart from real."""

    id: str
    title: str
    synthetic: bool
    buildings: int = 0
    counts: int = 0
    fleet_lines: int = 0
    workforce_lines: int = 0


class Row(msgspec.Struct, kw_only=True):
    """A checked input row: where it came from, the organisation's service as the row
    states it (needed only for an organisation not yet known), and the record."""

    line: int
    service: Service | None
    record: Any
