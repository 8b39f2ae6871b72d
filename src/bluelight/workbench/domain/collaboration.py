"""The register of collaborations between emergency services: what is being done
together, by whom, how far it has got, and what it is meant to deliver (its benefits).

Dates in the register are often only as precise as the source that states them ("opened
in 2012", "due to open in December 2014"), so they are partial ISO dates: YYYY, YYYY-MM
or YYYY-MM-DD. A partial date stands for a span; rules that compare dates say which end
they mean (`first_day` / `last_day`)."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from enum import StrEnum
from typing import Annotated, Literal

import msgspec

from bluelight.kernel.errors import Conflict, Faults, Invalid
from bluelight.wire.service import Service

PARTIAL_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
PartialDate = Annotated[str, msgspec.Meta(
    pattern=PARTIAL_DATE_PATTERN,
    description="A date as precise as known: YYYY, YYYY-MM or YYYY-MM-DD",
    examples=["2014", "2014-12", "2014-12-01"])]
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
CollaborationId = Annotated[str, msgspec.Meta(
    pattern=ID_PATTERN, description="Lower-case letters, digits and hyphens",
    examples=["wales-south-current-1"])]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Area = Annotated[str, msgspec.Meta(min_length=1, max_length=120,
                                   description="Where: a force area, region or nation",
                                   examples=["Cheshire", "Wales (South)"])]
Text = Annotated[str, msgspec.Meta(max_length=20_000)]
Email = Annotated[str, msgspec.Meta(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)]
Phone = Annotated[str, msgspec.Meta(pattern=r"^\+?[0-9 ()-]{6,30}$")]
Amount = Annotated[float, msgspec.Meta(ge=-1e15, le=1e15)]


class Status(StrEnum):
    IDEA = "idea"
    CONSIDERED = "considered"
    REJECTED = "rejected"
    PLANNED = "planned"
    IN_DELIVERY = "in-delivery"
    LIVE = "live"
    CLOSED = "closed"


# Where a collaboration may go next. Rejected ideas can be reopened; a closed one is
# history (a revival is a new entry, so its own benefits start from a clean baseline).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.IDEA: frozenset({Status.CONSIDERED, Status.PLANNED, Status.REJECTED}),
    Status.CONSIDERED: frozenset({Status.IDEA, Status.PLANNED, Status.REJECTED}),
    Status.PLANNED: frozenset({Status.CONSIDERED, Status.IN_DELIVERY, Status.REJECTED}),
    Status.IN_DELIVERY: frozenset({Status.PLANNED, Status.LIVE, Status.CLOSED}),
    Status.LIVE: frozenset({Status.CLOSED}),
    Status.REJECTED: frozenset({Status.IDEA, Status.CONSIDERED}),
    Status.CLOSED: frozenset(),
}
FINISHED = frozenset({Status.LIVE, Status.CLOSED, Status.REJECTED})


class Category(StrEnum):
    CO_LOCATION = "co-location"  # shared estate
    CO_RESPONDING = "co-responding"
    JOINT_CONTROL_ROOM = "joint-control-room"
    FLEET = "fleet"
    TRAINING = "training"
    BACK_OFFICE = "back-office"  # shared services
    DATA_SHARING = "data-sharing"
    GOVERNANCE = "governance"
    PREVENTION = "prevention"  # community safety
    DEMAND_MANAGEMENT = "demand-management"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.CO_LOCATION: "Co-location / shared estate",
    Category.CO_RESPONDING: "Co-responding",
    Category.JOINT_CONTROL_ROOM: "Joint control room",
    Category.FLEET: "Fleet",
    Category.TRAINING: "Training",
    Category.BACK_OFFICE: "Back office / shared services",
    Category.DATA_SHARING: "Data sharing",
    Category.GOVERNANCE: "Governance",
    Category.PREVENTION: "Prevention / community safety",
    Category.DEMAND_MANAGEMENT: "Demand management",
    Category.OTHER: "Other",
}


# The services a partner (or a person) of a collaboration may be of: a subset of
# `Service`. The register counts the RNLI, mountain rescue and lowland search all as
# search-and-rescue, and any other responder as other, so it refuses `lifeboat` and
# `other-responder` (the estates tool's finer split): a second name for the same kind of
# partner would split the register's filter by service.
PARTNER_SERVICES: tuple[Service, ...] = (
    Service.POLICE, Service.FIRE, Service.AMBULANCE, Service.COASTGUARD,
    Service.SEARCH_AND_RESCUE, Service.LOCAL_AUTHORITY, Service.HEALTH, Service.GOVERNMENT,
    Service.JUSTICE, Service.VOLUNTARY, Service.OTHER,
)
# The same subset as a type for decoded input: msgspec cannot put enum members in a
# Literal, so it holds their values, and a value outside the subset gets msgspec's own
# "Invalid enum value" fault at its field. Structs typed with it hold the `Service`
# member itself (see `_partner_service`).
PartnerServiceName = Literal[tuple(s.value for s in PARTNER_SERVICES)]


def _partner_service(value: str) -> Service:
    """The `Service` member a decoded (or constructed) partner service names."""
    service = Service(value)
    if service not in PARTNER_SERVICES:
        raise ValueError(f"'{value}' is not a service a collaboration's partner may be of")
    return service


class Unit(StrEnum):
    """What a benefit's numbers count. Roll-ups add values only within one unit: a
    one-off sum and a yearly saving are different units, as are hours and minutes."""

    GBP = "GBP"
    GBP_PER_YEAR = "GBP/year"
    HOURS = "hours"
    HOURS_PER_YEAR = "hours/year"
    MINUTES = "minutes"
    SECONDS = "seconds"
    PEOPLE = "people"
    COUNT = "count"
    PERCENT = "percent"


class BenefitKind(StrEnum):
    """What sort of figure it is, so a grant is never added to a saving."""

    SAVING = "saving"
    FUNDING = "funding"  # money awarded to the collaboration
    COST = "cost"  # money spent or invested
    INCOME = "income"  # e.g. sale of surplus buildings
    TIME = "time"  # response or handling time
    REACH = "reach"  # people covered or served
    ACTIVITY = "activity"  # calls attended, transfers, trainees...
    OTHER = "other"


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Partner(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    organisation: Name
    service: PartnerServiceName

    def __post_init__(self) -> None:
        self.service = _partner_service(self.service)


class Person(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """A leader or contact. `lead` marks whom to ask about the collaboration."""

    name: Name
    role: Name
    organisation: Name | None = None
    service: PartnerServiceName | None = None
    email: Email | None = None
    phone: Phone | None = None
    lead: bool = False

    def __post_init__(self) -> None:
        if self.service is not None:
            self.service = _partner_service(self.service)


class Provenance(msgspec.Struct, kw_only=True):
    """Where an entry came from: the seed file, its title and the section."""

    document: str
    title: str
    section: str


class StatusChange(msgspec.Struct, kw_only=True, omit_defaults=True):
    status: Status
    previous: Status | None = None
    reason: str | None = None
    by: str
    at: float


class Actual(msgspec.Struct, kw_only=True, omit_defaults=True):
    at: PartialDate
    value: float
    note: str | None = None
    recorded_by: str | None = None
    recorded_at: float | None = None


class Benefit(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    collaboration_id: str
    measure: str
    kind: BenefitKind
    unit: Unit
    better: Better | None = None
    baseline: float | None = None
    baseline_date: PartialDate | None = None
    target: float | None = None
    target_date: PartialDate | None = None
    owner: str | None = None
    evidence: str | None = None  # the source sentence a seeded figure came from
    actuals: list[Actual] = []
    live: bool = False  # computed from the hub's own figures, not entered

    @property
    def latest(self) -> Actual | None:
        return max(self.actuals, key=lambda a: first_day(a.at)) if self.actuals else None

    @property
    def direction(self) -> Better:
        """Which way is an improvement: stated, or read from baseline → target."""
        if self.better is not None:
            return self.better
        if self.baseline is not None and self.target is not None and self.target < self.baseline:
            return Better.LOWER
        if self.kind in (BenefitKind.TIME, BenefitKind.COST):
            return Better.LOWER
        return Better.HIGHER


class Collaboration(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    title: str
    area: str
    category: Category
    description: str
    status: Status
    status_reason: str | None = None
    workstream: str | None = None
    start_date: PartialDate | None = None
    target_date: PartialDate | None = None
    end_date: PartialDate | None = None
    partners: list[Partner] = []
    people: list[Person] = []
    provenance: Provenance | None = None
    live_source: str | None = None  # "hub": benefits measured live by this hub
    status_history: list[StatusChange] = []
    benefits: list[Benefit] = []
    created_at: float = 0.0
    updated_at: float = 0.0

    @property
    def services(self) -> set[Service]:
        return {p.service for p in self.partners}


class Workstream(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    name: str
    description: str = ""
    lead: str | None = None
    position: int = 0
    provenance: Provenance | None = None


# ---- input --------------------------------------------------------------------------


class NewCollaboration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title
    area: Area
    category: Category
    description: Text
    status: Status = Status.IDEA
    status_reason: Text | None = None
    workstream: Annotated[str, msgspec.Meta(pattern=ID_PATTERN)] | None = None
    start_date: PartialDate | None = None
    target_date: PartialDate | None = None
    end_date: PartialDate | None = None
    partners: Annotated[list[Partner], msgspec.Meta(max_length=50)] = []
    people: Annotated[list[Person], msgspec.Meta(max_length=50)] = []
    id: CollaborationId | None = None


class CollaborationChanges(msgspec.Struct, kw_only=True, forbid_unknown_fields=True,
                           omit_defaults=True):
    """Only the fields sent are changed. The status changes through its own call, so
    that every change of status is recorded with who, when and why."""

    title: Title | None = None
    area: Area | None = None
    category: Category | None = None
    description: Text | None = None
    workstream: Annotated[str, msgspec.Meta(pattern=ID_PATTERN)] | None = None
    start_date: PartialDate | None = None
    target_date: PartialDate | None = None
    end_date: PartialDate | None = None
    partners: Annotated[list[Partner], msgspec.Meta(max_length=50)] | None = None
    people: Annotated[list[Person], msgspec.Meta(max_length=50)] | None = None


class ChangeStatus(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    status: Status
    reason: Text | None = None
    by: Name | None = None  # recorded as the signed-in operator or agency when absent


class NewBenefit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    measure: Title
    unit: Unit
    kind: BenefitKind = BenefitKind.OTHER
    better: Better | None = None
    baseline: Amount | None = None
    baseline_date: PartialDate | None = None
    target: Amount | None = None
    target_date: PartialDate | None = None
    owner: Name | None = None
    evidence: Text | None = None


class NewActual(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    at: PartialDate
    value: Amount
    note: Text | None = None


# ---- rules --------------------------------------------------------------------------

_PARTIAL = re.compile(PARTIAL_DATE_PATTERN)


def first_day(partial: str) -> dt.date:
    parts = [int(p) for p in partial.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def last_day(partial: str) -> dt.date:
    parts = [int(p) for p in partial.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


def check_partial_date(field: str, value: str | None, faults: Faults) -> None:
    if value is None:
        return
    if not _PARTIAL.match(value):
        faults.add(field, "must be a date as YYYY, YYYY-MM or YYYY-MM-DD")
        return
    try:
        last_day(value)
    except ValueError:
        faults.add(field, "is not a real date")


def check_dates(start: str | None, target: str | None, end: str | None,
                prefix: str = "") -> None:
    faults = Faults()
    for name, value in (("start_date", start), ("target_date", target), ("end_date", end)):
        check_partial_date(prefix + name, value, faults)
    faults.raise_if_any()
    if start and target and last_day(target) < first_day(start):
        faults.add(prefix + "target_date", "is before the start date")
    if start and end and last_day(end) < first_day(start):
        faults.add(prefix + "end_date", "is before the start date")
    faults.raise_if_any()


def check_transition(current: Status, new: Status, reason: str | None) -> None:
    """May a collaboration move from `current` to `new`? Rejecting needs a reason: a
    register that says only 'rejected' teaches the next area nothing."""
    if new == current:
        raise Conflict(f"the collaboration is already {current.value}")
    if new not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing"
        raise Invalid.field("status", f"cannot go from {current.value} to {new.value} "
                                      f"(allowed: {allowed})")
    if new is Status.REJECTED and not (reason and reason.strip()):
        raise Invalid.field("reason", "is required when a collaboration is rejected")


def check_new(new: NewCollaboration) -> None:
    faults = Faults()
    if not new.title.strip():
        faults.add("title", "must not be blank")
    if not new.area.strip():
        faults.add("area", "must not be blank")
    if not new.description.strip():
        faults.add("description", "must not be blank")
    if new.status is Status.REJECTED and not (new.status_reason and new.status_reason.strip()):
        faults.add("status_reason", "is required when a collaboration is rejected")
    faults.raise_if_any()
    check_dates(new.start_date, new.target_date, new.end_date)


def check_benefit(new: NewBenefit) -> None:
    faults = Faults()
    if not new.measure.strip():
        faults.add("measure", "must not be blank")
    for name in ("baseline", "target"):
        value = getattr(new, name)
        if value is not None and not math.isfinite(value):
            faults.add(name, "must be a finite number")
    check_partial_date("baseline_date", new.baseline_date, faults)
    check_partial_date("target_date", new.target_date, faults)
    faults.raise_if_any()
    if (new.baseline_date and new.target_date
            and last_day(new.target_date) < first_day(new.baseline_date)):
        faults.add("target_date", "is before the baseline date")
    if new.target_date and new.target is None:
        faults.add("target", "is required when a target date is given")
    faults.raise_if_any()


def check_actual(new: NewActual) -> None:
    faults = Faults()
    check_partial_date("at", new.at, faults)
    if not math.isfinite(new.value):
        faults.add("value", "must be a finite number")
    faults.raise_if_any()


def slug(text: str, max_length: int = 60) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:max_length].rstrip("-") or "x"
