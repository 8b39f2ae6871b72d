"""Use cases of the register of collaborations.

Each function takes the repository of one transaction, so a use case is all or nothing;
`Register` runs them in the unit of work and adds the hub's live figures."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections import Counter

import msgspec

from bluelight.kernel.errors import Conflict, Invalid, NotFound
from bluelight.wire.stats import Stats
from bluelight.workbench.domain import collaboration as rules
from bluelight.workbench.domain.collaboration import (
    Actual,
    Benefit,
    BenefitKind,
    Better,
    ChangeStatus,
    Collaboration,
    CollaborationChanges,
    NewActual,
    NewBenefit,
    NewCollaboration,
    Person,
    StatusChange,
    Unit,
    Workstream,
)
from bluelight.workbench.services.ports import (
    Filters,
    HubFigures,
    RegisterRepository,
    SeedSet,
    UnitOfWork,
)

MAIT_ID = "mait"
LIVE_SOURCE_HUB = "hub"


class AreaSummary(msgspec.Struct, kw_only=True):
    area: str
    collaborations: int
    by_status: dict[str, int]
    by_category: dict[str, int]


class AreaPage(msgspec.Struct, kw_only=True):
    """What a page about one area shows: its collaborations, its leaders and how much
    its collaborations are meant to deliver."""

    area: str
    collaborations: list[Collaboration]
    leaders: list[Person]
    by_status: dict[str, int]
    by_category: dict[str, int]
    benefits: int
    sources: list[str]


class Contact(msgspec.Struct, kw_only=True):
    """Whom to contact about a collaboration (the peer network's purpose)."""

    collaboration_id: str
    title: str
    area: str
    leads: list[Person]
    others: list[Person]
    via: list[Person]  # networks or report authors who can put you in touch
    note: str


class RegisterStats(msgspec.Struct, kw_only=True):
    collaborations: int
    areas: int
    benefits: int
    actuals: int
    workstreams: int
    by_status: dict[str, int]
    by_category: dict[str, int]


class ImportResult(msgspec.Struct, kw_only=True):
    documents: list[str]
    found: int
    created: int
    unchanged: int
    workstreams_created: int
    collaborations: int
    areas: int
    benefits: int


def _actor(by: str | None) -> str:
    return by or "unknown"


def get(repo: RegisterRepository, cid: str) -> Collaboration:
    found = repo.get(cid)
    if found is None:
        raise NotFound(f"no collaboration {cid}")
    return found


def search(repo: RegisterRepository, filters: Filters) -> list[Collaboration]:
    return repo.search(filters)


def _check_workstream(repo: RegisterRepository, workstream: str | None) -> None:
    if workstream is not None and repo.workstream(workstream) is None:
        known = ", ".join(w.id for w in repo.workstreams()) or "none yet"
        raise Invalid.field("workstream", f"is not a known workstream (known: {known})")


def create(repo: RegisterRepository, new: NewCollaboration, by: str | None,
           now: float) -> Collaboration:
    rules.check_new(new)
    _check_workstream(repo, new.workstream)
    cid = new.id or f"reg-{secrets.token_hex(4)}"
    if repo.exists(cid):
        raise Conflict(f"a collaboration {cid} already exists")
    c = Collaboration(
        id=cid, title=new.title.strip(), area=new.area.strip(), category=new.category,
        description=new.description.strip(), status=new.status,
        status_reason=new.status_reason, workstream=new.workstream,
        start_date=new.start_date, target_date=new.target_date, end_date=new.end_date,
        partners=new.partners, people=new.people,
        status_history=[StatusChange(status=new.status, reason=new.status_reason or "created",
                                     by=_actor(by), at=now)],
        created_at=now, updated_at=now)
    repo.insert_collaboration(c)
    return get(repo, cid)


def update(repo: RegisterRepository, cid: str, changes: CollaborationChanges,
           now: float) -> Collaboration:
    current = get(repo, cid)
    sent = {f: getattr(changes, f) for f in changes.__struct_fields__
            if getattr(changes, f) is not None}
    for name in ("title", "area", "description"):
        if name in sent and not sent[name].strip():
            raise Invalid.field(name, "must not be blank")
    rules.check_dates(sent.get("start_date", current.start_date),
                      sent.get("target_date", current.target_date),
                      sent.get("end_date", current.end_date))
    _check_workstream(repo, sent.get("workstream"))
    partners = sent.pop("partners", None)
    people = sent.pop("people", None)
    repo.update_collaboration(cid, sent, now, partners, people)
    return get(repo, cid)


def change_status(repo: RegisterRepository, cid: str, req: ChangeStatus, by: str | None,
                  now: float) -> Collaboration:
    current = get(repo, cid)
    rules.check_transition(current.status, req.status, req.reason)
    repo.update_collaboration(cid, {"status": req.status, "status_reason": req.reason}, now)
    repo.add_status_change(cid, StatusChange(status=req.status, previous=current.status,
                                             reason=req.reason, by=_actor(req.by or by),
                                             at=now))
    return get(repo, cid)


def add_benefit(repo: RegisterRepository, cid: str, new: NewBenefit, now: float) -> Benefit:
    get(repo, cid)
    rules.check_benefit(new)
    n = len(repo.benefit_ids(cid)) + 1
    bid = f"{cid}-b{n}"
    while repo.benefit_owner(bid) is not None:
        n += 1
        bid = f"{cid}-b{n}"
    benefit = Benefit(id=bid, collaboration_id=cid, measure=new.measure.strip(), kind=new.kind,
                      unit=new.unit, better=new.better, baseline=new.baseline,
                      baseline_date=new.baseline_date, target=new.target,
                      target_date=new.target_date, owner=new.owner, evidence=new.evidence)
    repo.insert_benefit(benefit, now)
    repo.update_collaboration(cid, {}, now)
    return _benefit(repo, cid, bid)


def _benefit(repo: RegisterRepository, cid: str, bid: str) -> Benefit:
    for b in get(repo, cid).benefits:
        if b.id == bid:
            return b
    raise NotFound(f"no benefit {bid} in collaboration {cid}")


def add_actual(repo: RegisterRepository, cid: str, bid: str, new: NewActual, by: str | None,
               now: float) -> Benefit:
    if repo.benefit_owner(bid) != cid:
        raise NotFound(f"no benefit {bid} in collaboration {cid}")
    rules.check_actual(new)
    repo.add_actual(bid, Actual(at=new.at, value=new.value, note=new.note,
                                recorded_by=_actor(by), recorded_at=now))
    repo.update_collaboration(cid, {}, now)
    return _benefit(repo, cid, bid)


def _counts(items: list[Collaboration]) -> tuple[dict[str, int], dict[str, int]]:
    return (dict(Counter(c.status.value for c in items)),
            dict(Counter(c.category.value for c in items)))


def areas(repo: RegisterRepository) -> list[AreaSummary]:
    by_area: dict[str, list[Collaboration]] = {}
    for c in repo.search(Filters()):
        by_area.setdefault(c.area, []).append(c)
    out = []
    for name in sorted(by_area):
        statuses, categories = _counts(by_area[name])
        out.append(AreaSummary(area=name, collaborations=len(by_area[name]),
                               by_status=statuses, by_category=categories))
    return out


def area_page(repo: RegisterRepository, area: str) -> AreaPage:
    items = repo.search(Filters(area=area))
    if not items:
        raise NotFound(f"no collaborations in an area called {area}")
    leaders: list[Person] = []
    for c in items:
        for p in c.people:
            if p.email is None and p.phone is None and p not in leaders:
                leaders.append(p)
    statuses, categories = _counts(items)
    return AreaPage(area=items[0].area, collaborations=items, leaders=leaders,
                    by_status=statuses, by_category=categories,
                    benefits=sum(len(c.benefits) for c in items),
                    sources=sorted({c.provenance.document for c in items if c.provenance}))


def contact(repo: RegisterRepository, cid: str) -> Contact:
    """The people marked as leads; else the leaders of the partner services. `via` are
    contacts who belong to no service (a peer network, a report's author) but can be
    reached and can put the asker in touch."""
    c = get(repo, cid)
    leads = [p for p in c.people if p.lead] or [p for p in c.people if p.service]
    via = [p for p in c.people if p not in leads and p.service is None and (p.email or p.phone)]
    others = [p for p in c.people if p not in leads and p not in via]
    if not leads:
        note = ("No lead is recorded yet: add one (PATCH people, with lead true) so peers "
                "can reach the project" + ("; meanwhile ask through the contact below."
                                           if via else "."))
    elif not any(p.email or p.phone for p in leads):
        note = ("The source names the leaders but not their contact details"
                + ("; the contact below puts practitioners in touch with project leads."
                   if via else "."))
    else:
        note = "Contact the lead directly."
    return Contact(collaboration_id=c.id, title=c.title, area=c.area, leads=leads,
                   others=others, via=via, note=note)


def stats(repo: RegisterRepository) -> RegisterStats:
    counts = repo.counts()
    statuses, categories = _counts(repo.search(Filters()))
    return RegisterStats(by_status=statuses, by_category=categories, **counts)


def workstreams(repo: RegisterRepository) -> list[Workstream]:
    return repo.workstreams()


def import_seeds(repo: RegisterRepository, seed_set: SeedSet) -> ImportResult:
    """Insert the seeded entries that are not there yet. An entry already present is
    left as it is, even if edited since: running the import again changes nothing."""
    created_ws = sum(repo.upsert_workstream(w) for w in seed_set.workstreams)
    existing = repo.existing_ids()
    created = 0
    for c in seed_set.collaborations:
        if c.id in existing:
            continue
        repo.insert_collaboration(c)
        created += 1
    counts = repo.counts()
    return ImportResult(documents=seed_set.documents, found=len(seed_set.collaborations),
                        created=created, unchanged=len(seed_set.collaborations) - created,
                        workstreams_created=created_ws,
                        collaborations=counts["collaborations"], areas=counts["areas"],
                        benefits=counts["benefits"])


# ---- live evidence from the hub ------------------------------------------------------


def live_benefits(stats: Stats, cid: str = MAIT_ID, today: dt.date | None = None
                  ) -> list[Benefit]:
    """The hub's own measurements as benefits of the MAIT collaboration: how many
    incidents were transferred, the median time from sending to the partner's decision
    against the phone-call baseline, and control-room hours saved. Nothing is entered
    by hand; each read recomputes them."""
    at = (today or dt.date.today()).isoformat()
    note = "measured by this hub"
    out = [
        Benefit(id=f"{cid}-live-transfers", collaboration_id=cid,
                measure="Incidents transferred electronically (live)",
                kind=BenefitKind.ACTIVITY, unit=Unit.COUNT, better=Better.HIGHER,
                baseline=0.0, evidence="Counted by the hub from its transfer records.",
                actuals=[Actual(at=at, value=float(stats.transfers), note=note)], live=True),
        Benefit(id=f"{cid}-live-decide-median", collaboration_id=cid,
                measure="Median time to a partner's decision (live)",
                kind=BenefitKind.TIME, unit=Unit.SECONDS, better=Better.LOWER,
                baseline=stats.phone_baseline_s,
                evidence=f"Baseline: a {stats.phone_baseline_s:.0f} s phone call between "
                         f"control rooms. Measured from submission to accept/reject.",
                actuals=([Actual(at=at, value=stats.decide_p50_s, note=note)]
                         if stats.decide_p50_s is not None else []), live=True),
        Benefit(id=f"{cid}-live-hours-saved", collaboration_id=cid,
                measure="Control-room hours saved against phone calls (live)",
                kind=BenefitKind.SAVING, unit=Unit.HOURS, better=Better.HIGHER, baseline=0.0,
                evidence=f"Per decided transfer: {stats.phone_baseline_s:.0f} s minus the "
                         f"time it took, floored at zero; summed over {stats.decided} "
                         f"decided transfers.",
                actuals=[Actual(at=at, value=stats.time_saved_hours, note=note)], live=True),
    ]
    return out


def with_live(c: Collaboration, stats: Stats | None) -> Collaboration:
    if c.live_source != LIVE_SOURCE_HUB or stats is None:
        return c
    return msgspec.structs.replace(c, benefits=[*c.benefits, *live_benefits(stats, c.id)])


# ---- the register as a service ----------------------------------------------------------


class Register:
    """The use cases above, each in one transaction of the unit of work, plus the hub's
    figures for the live benefits. `hub` is None where there is no hub to read (a command
    line beside no hub database): the register then shows no live figures."""

    def __init__(self, uow: UnitOfWork, hub: HubFigures | None) -> None:
        self._uow = uow
        self._hub = hub

    def search(self, filters: Filters) -> list[Collaboration]:
        return self._uow.run(lambda tx: search(tx.register, filters))

    def get(self, cid: str) -> Collaboration:
        return self._uow.run(lambda tx: get(tx.register, cid))

    def create(self, new: NewCollaboration, by: str | None, now: float) -> Collaboration:
        return self._uow.run(lambda tx: create(tx.register, new, by, now))

    def update(self, cid: str, changes: CollaborationChanges, now: float) -> Collaboration:
        return self._uow.run(lambda tx: update(tx.register, cid, changes, now))

    def change_status(self, cid: str, req: ChangeStatus, by: str | None,
                      now: float) -> Collaboration:
        return self._uow.run(lambda tx: change_status(tx.register, cid, req, by, now))

    def add_benefit(self, cid: str, new: NewBenefit, now: float) -> Benefit:
        return self._uow.run(lambda tx: add_benefit(tx.register, cid, new, now))

    def add_actual(self, cid: str, bid: str, new: NewActual, by: str | None,
                   now: float) -> Benefit:
        return self._uow.run(lambda tx: add_actual(tx.register, cid, bid, new, by, now))

    def contact(self, cid: str) -> Contact:
        return self._uow.run(lambda tx: contact(tx.register, cid))

    def areas(self) -> list[AreaSummary]:
        return self._uow.run(lambda tx: areas(tx.register))

    def area_page(self, area: str) -> AreaPage:
        return self._uow.run(lambda tx: area_page(tx.register, area))

    def workstreams(self) -> list[Workstream]:
        return self._uow.run(lambda tx: workstreams(tx.register))

    def stats(self) -> RegisterStats:
        return self._uow.run(lambda tx: stats(tx.register))

    def import_seeds(self, seed_set: SeedSet) -> ImportResult:
        return self._uow.run(lambda tx: import_seeds(tx.register, seed_set))

    # -- with the hub's figures (async: the hub reads its store on its event loop) --------

    async def hub_stats(self) -> Stats | None:
        return None if self._hub is None else await self._hub.stats(None)

    async def with_live(self, c: Collaboration) -> Collaboration:
        """`c` with its live benefits, if it is the collaboration the hub measures."""
        if c.live_source != LIVE_SOURCE_HUB:
            return c
        return with_live(c, await self.hub_stats())

    async def live_evidence(self) -> list[Benefit]:
        figures = await self.hub_stats()
        return [] if figures is None else live_benefits(figures)

    async def everything(self) -> tuple[list[Collaboration], list[Workstream]]:
        """Every collaboration (with its live benefits) and every workstream: what the
        board and the performance report are made from."""
        items, streams = await asyncio.to_thread(self._uow.run, lambda tx: (
            search(tx.register, Filters()), workstreams(tx.register)))
        figures = await self.hub_stats()
        return [with_live(c, figures) for c in items], streams
