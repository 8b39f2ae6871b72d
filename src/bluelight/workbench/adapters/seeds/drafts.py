"""From a passage of a seed document to a register entry: the parsers say where a
collaboration is described; this module reads its category, status, partners, dates and
figures, the same way for every document."""

from __future__ import annotations

from dataclasses import dataclass, field

from bluelight.wire.service import Service
from bluelight.workbench.adapters.seeds import text as read
from bluelight.workbench.domain.collaboration import (
    Actual,
    Benefit,
    Category,
    Collaboration,
    Partner,
    Person,
    Provenance,
    Status,
    StatusChange,
)

SEED_ACTOR = "import-seeds"


@dataclass
class Document:
    file: str
    title: str
    as_of: str  # the document's own date, YYYY or YYYY-MM: dates actuals and "future"


@dataclass
class Draft:
    id: str
    area: str
    title: str
    text: str
    section: str  # where in the document, for provenance
    kind: str = "current"  # current | future | funding: how to read the status
    people: list[Person] = field(default_factory=list)
    default_orgs: dict[Service, str] = field(default_factory=dict)
    status: Status | None = None  # set when the parser knows better than the words
    status_reason: str | None = None
    category: Category | None = None
    workstream: str | None = None
    partners: list[Partner] | None = None
    live_source: str | None = None
    figures: list[read.Figure] | None = None  # None: read them from the text


def partners(text: str, default_orgs: dict[Service, str]) -> list[Partner]:
    result: list[Partner] = []
    for service in read.services(text):
        named = read.organisations(service, text)
        names = named or [default_orgs.get(service) or _generic(service)]
        for name in names[:4]:
            if all(p.organisation != name for p in result):
                result.append(Partner(organisation=name, service=service))
    return result


def _generic(service: Service) -> str:
    return {
        Service.COASTGUARD: "HM Coastguard",
        Service.HEALTH: "NHS and health partners",
        Service.LOCAL_AUTHORITY: "Local authority",
        Service.SEARCH_AND_RESCUE: "Search and rescue",
        Service.JUSTICE: "Criminal justice partners",
        Service.VOLUNTARY: "Voluntary sector",
    }.get(service, service.value.capitalize())


def _benefits(cid: str, figures: list[read.Figure], owner: str | None,
              as_of: str) -> list[Benefit]:
    out = []
    for n, f in enumerate(figures, start=1):
        actuals = ([Actual(at=as_of, value=f.actual, note="stated in the source document",
                           recorded_by=SEED_ACTOR)] if f.actual is not None else [])
        out.append(Benefit(
            id=f"{cid}-b{n}", collaboration_id=cid, measure=f.measure[:300], kind=f.kind,
            unit=f.unit, better=f.better, baseline=f.baseline,
            baseline_date=as_of if f.baseline is not None else None, target=f.target,
            target_date=f.target_date if f.target is not None else None, owner=owner,
            evidence=f.evidence, actuals=actuals))
    return out


def build(draft: Draft, doc: Document, now: float) -> Collaboration:
    text = draft.text
    status = draft.status or read.status(draft.kind, text)
    reason = draft.status_reason
    if status is Status.REJECTED and not reason:
        reason = read.rejection_reason(text) or "stated in the source document"
    found_partners = (draft.partners if draft.partners is not None
                      else partners(text, draft.default_orgs))
    services = {p.service for p in found_partners}
    people = [p for p in draft.people if p.service is None or not services
              or p.service in services]
    dates = read.dates(text, doc.as_of)
    figures = draft.figures if draft.figures is not None else read.figures(text, doc.as_of)
    lead = next((p.name for p in people if p.lead), None)
    return Collaboration(
        id=draft.id, title=draft.title[:300], area=draft.area,
        category=draft.category or read.category(draft.title, text),
        description=text, status=status, status_reason=reason,
        workstream=draft.workstream, start_date=dates.start,
        target_date=dates.target if status not in (Status.LIVE, Status.CLOSED) else None,
        partners=found_partners, people=people,
        provenance=Provenance(document=doc.file, title=doc.title, section=draft.section),
        live_source=draft.live_source,
        status_history=[StatusChange(status=status, reason=reason or
                                     f"seeded from {doc.file}: {draft.section}",
                                     by=SEED_ACTOR, at=now)],
        benefits=_benefits(draft.id, figures, lead, doc.as_of),
        created_at=now, updated_at=now)
