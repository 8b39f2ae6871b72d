"""Data-sharing agreements (information sharing agreements) and what they let through.

Audit Wales found officers holding back data even where sharing was agreed, for fear of
breaching data protection. The hub makes the rule mechanical: every field of an incident
belongs to one class of data; a partner receives a class only if an agreement between
the two agencies names it. With no agreement only the operational minimum flows:
where, what kind, the hazards and the resources asked for.

Nothing here does I/O. The same functions serve the sending path, every read path and
the "what will partner X receive?" preview, so the three cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import Annotated

import msgspec

from bluelight.hub.domain.agency import AgencyId
from bluelight.hub.domain.incident import (
    INCIDENT_TYPE_LABELS,
    Incident,
    IncidentUpdate,
    UpdateRecord,
)
from bluelight.hub.domain.transfer import AgreementRef, TimelineEvent


class DataClass(StrEnum):
    """The classes an agreement can allow. The operational minimum is not one of them:
    it always flows, because without it the partner cannot respond at all."""

    SITUATION = "situation"  # summary, narrative notes, casualty counts, M/ETHANE
    CALLER = "caller"  # caller identity and phone
    MEDICAL = "medical"  # clinical details
    VULNERABILITY = "vulnerability"  # vulnerability and safeguarding flags
    OFFICER_SAFETY = "officer-safety"  # officer-safety and firearms markers
    INTELLIGENCE = "intelligence"  # criminal-intelligence notes


DATA_CLASS_LABELS = {
    DataClass.SITUATION: "Situation: summary, notes, casualty counts, M/ETHANE report",
    DataClass.CALLER: "Caller identity and phone",
    DataClass.MEDICAL: "Medical details",
    DataClass.VULNERABILITY: "Vulnerability and safeguarding flags",
    DataClass.OFFICER_SAFETY: "Officer-safety and firearms markers",
    DataClass.INTELLIGENCE: "Criminal-intelligence notes",
}

# Incident fields outside the operational minimum, by class. Every Incident field is
# either here or in OPERATIONAL_FIELDS; a unit test checks that nothing is left out, so
# a new field cannot flow unclassified.
INCIDENT_FIELDS: dict[str, DataClass] = {
    "summary": DataClass.SITUATION,
    "notes": DataClass.SITUATION,
    "casualties": DataClass.SITUATION,
    "methane": DataClass.SITUATION,
    "caller": DataClass.CALLER,
    "medical": DataClass.MEDICAL,
    "vulnerability": DataClass.VULNERABILITY,
    "officer_safety": DataClass.OFFICER_SAFETY,
    "intelligence": DataClass.INTELLIGENCE,
}
OPERATIONAL_FIELDS = frozenset(
    {"reference", "type", "priority", "location", "created_at", "hazards",
     "resources_requested"}
)
UPDATE_FIELDS: dict[str, DataClass] = {
    "text": DataClass.SITUATION,
    "summary": DataClass.SITUATION,
    "casualties": DataClass.SITUATION,
    "methane": DataClass.SITUATION,
}
UPDATE_OPERATIONAL_FIELDS = frozenset(
    {"priority", "location", "hazards", "resources_requested"}
)

WITHHELD_TEXT = "[withheld: not covered by a data-sharing agreement]"


def withheld_summary(incident: Incident) -> str:
    """The summary is required, so a partner without the situation class gets one made
    only of the operational minimum."""
    return f"{INCIDENT_TYPE_LABELS[incident.type]} {WITHHELD_TEXT}"


ReviewDate = Annotated[date, msgspec.Meta(description="When the agreement must be reviewed")]


class AgreementTerms(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What an administrator states: a new agreement, or a new version of one."""

    parties: Annotated[list[AgencyId], msgspec.Meta(
        min_length=2, max_length=100,
        description="The agencies it covers: a pair, or a group (e.g. a region)")]
    purpose: Annotated[str, msgspec.Meta(min_length=3, max_length=1000)]
    data_classes: Annotated[list[DataClass], msgspec.Meta(
        max_length=len(DataClass),
        description="The classes of data that may flow between the parties, beyond the "
                    "operational minimum (which always flows)")]
    lawful_basis: Annotated[str, msgspec.Meta(
        min_length=3, max_length=500,
        examples=["UK GDPR Art. 6(1)(e) public task; DPA 2018 Sch. 1 para 6 and s.35"])]
    review_date: ReviewDate
    retention_days: Annotated[int, msgspec.Meta(
        ge=1, le=36_500, description="How long personal data in transfers is kept")]


class Agreement(msgspec.Struct, kw_only=True, frozen=True):
    """One version of an agreement. Versions are never changed: amending one makes the
    next version, so a transfer can always show what applied when it was sent."""

    id: str
    version: int
    parties: list[str]
    purpose: str
    data_classes: list[DataClass]
    lawful_basis: str
    review_date: date
    retention_days: int
    created_at: float
    created_by: str
    withdrawn_at: float | None = None

    @property
    def ref(self) -> AgreementRef:
        return AgreementRef(id=self.id, version=self.version)

    def covers(self, a: str, b: str) -> bool:
        return self.withdrawn_at is None and a in self.parties and b in self.parties


AGREEMENT_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{2,63}$"
AgreementId = Annotated[str, msgspec.Meta(
    pattern=AGREEMENT_ID_PATTERN, description="Lower-case letters, digits and hyphens",
    examples=["isa-south-wales-blue-light"])]


def check_terms(terms: AgreementTerms, known: Iterable[str]) -> None:
    from bluelight.kernel.errors import Faults

    faults = Faults()
    known = set(known)
    seen: set[str] = set()
    for i, party in enumerate(terms.parties):
        if party in seen:
            faults.add(f"parties[{i}]", "listed twice")
        elif party not in known:
            faults.add(f"parties[{i}]", f"unknown agency {party!r}")
        seen.add(party)
    if len(set(terms.data_classes)) != len(terms.data_classes):
        faults.add("data_classes", "a class is listed twice")
    faults.raise_if_any()


def governing(agreements: Iterable[Agreement], sender: str, recipient: str) -> Agreement | None:
    """The one agreement that governs a pair: the most specific in force (fewest
    parties), then the newest. So a bilateral agreement refines a regional one for that
    pair, and exactly one version is recorded on each transfer."""
    candidates = [a for a in agreements if a.covers(sender, recipient)]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (len(a.parties), -a.created_at))


def allowed_classes(agreement: Agreement | None) -> frozenset[DataClass]:
    return frozenset(agreement.data_classes) if agreement else frozenset()


# A withheld field's empty value (its default), made fresh for each copy: a list
# default must not be shared between incidents.
_EMPTY = {
    f.name: (f.default_factory if f.default_factory is not msgspec.NODEFAULT
             else (lambda default=f.default: default))
    for f in msgspec.structs.fields(Incident) if f.name in INCIDENT_FIELDS
}


def _is_set(value: object) -> bool:
    return value is not None and value != [] and value != ""


def redact(incident: Incident, allowed: frozenset[DataClass]) -> tuple[Incident, list[str]]:
    """The incident as a partner allowed `allowed` may see it, and the dotted names of
    the fields withheld (only those that had a value)."""
    withheld = [f"incident.{name}" for name, cls in INCIDENT_FIELDS.items()
                if cls not in allowed and _is_set(getattr(incident, name))]
    if not withheld:
        return incident, []
    changes = {name: _EMPTY[name]() for name, cls in INCIDENT_FIELDS.items()
               if cls not in allowed and name != "summary"}
    if DataClass.SITUATION not in allowed:
        changes["summary"] = withheld_summary(incident)
    return msgspec.structs.replace(incident, **changes), withheld


def redact_update(update: IncidentUpdate,
                  allowed: frozenset[DataClass]) -> tuple[IncidentUpdate, list[str]]:
    withheld = [f"update.{name}" for name, cls in UPDATE_FIELDS.items()
                if cls not in allowed and _is_set(getattr(update, name))]
    if not withheld:
        return update, []
    changes = {name: None for name, cls in UPDATE_FIELDS.items() if cls not in allowed}
    changes["text"] = f"Update {WITHHELD_TEXT}"
    return msgspec.structs.replace(update, **changes), withheld


def redact_records(records: list[UpdateRecord],
                   allowed: frozenset[DataClass]) -> tuple[list[UpdateRecord], list[str]]:
    """A page of update history as a partner allowed `allowed` may see it: an update's
    text is situation data, like the update message that carried it."""
    if UPDATE_FIELDS["text"] in allowed or not any(r.text for r in records):
        return records, []
    return [msgspec.structs.replace(r, text=None) for r in records], ["update.text"]


def redact_closure_text(text: str | None,
                        allowed: frozenset[DataClass]) -> tuple[str | None, list[str]]:
    if not text or DataClass.SITUATION in allowed:
        return text, []
    return None, ["closure.text"]


def redact_event(event: TimelineEvent, allowed: frozenset[DataClass]) -> TimelineEvent:
    """A timeline event as a recipient may see it. Updates and closures carry what the
    sender wrote, so they are redacted like the messages themselves."""
    detail = event.detail
    if event.kind == "update" and isinstance(detail.get("update"), dict):
        # Worked on the stored dict, not an IncidentUpdate: an update event no longer
        # carries the text (it is in the update history), and stored data is never
        # re-validated against input limits (see domain.stored).
        update = detail["update"]
        withheld = [f"update.{name}" for name, cls in UPDATE_FIELDS.items()
                    if cls not in allowed and _is_set(update.get(name))]
        if withheld:
            shared = {k: v for k, v in update.items()
                      if k not in UPDATE_FIELDS or UPDATE_FIELDS[k] in allowed}
            if "text" in update:  # logged before the history existed (migration 0006)
                shared["text"] = f"Update {WITHHELD_TEXT}"
            detail = detail | {"update": shared, "withheld": withheld}
    elif event.kind == "closed" and isinstance(detail.get("closure"), dict):
        text, withheld = redact_closure_text(detail["closure"].get("text"), allowed)
        if withheld:
            closure = {k: v for k, v in detail["closure"].items() if k != "text"}
            detail = detail | {"closure": closure, "withheld": withheld}
    return event if detail is event.detail else msgspec.structs.replace(event, detail=detail)
