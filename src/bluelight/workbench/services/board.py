"""The Strategic Collaboration Board's monitoring report: each workstream with its
projects, each project's SMART check, and the overdue and off-target flags."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import msgspec

from bluelight.workbench.domain.collaboration import Collaboration, Status, Workstream
from bluelight.workbench.domain.smart import Check, Flag, assess
from bluelight.workbench.services.register import Register


class Project(msgspec.Struct, kw_only=True):
    id: str
    title: str
    area: str
    status: Status
    target_date: str | None
    smart: bool
    checks: list[Check]
    flags: list[Flag]


class WorkstreamReport(msgspec.Struct, kw_only=True):
    id: str
    name: str
    description: str
    lead: str | None
    projects: list[Project]
    smart_projects: int
    flags: dict[str, int]  # flag code → how many


class BoardReport(msgspec.Struct, kw_only=True):
    as_of: str
    workstreams: list[WorkstreamReport]
    projects: int
    smart_projects: int
    overdue: int
    off_target: int
    flags: dict[str, int]


def project(c: Collaboration, today: dt.date) -> Project:
    a = assess(c, today)
    return Project(id=c.id, title=c.title, area=c.area, status=c.status,
                   target_date=c.target_date, smart=a.smart, checks=a.checks, flags=a.flags)


def report(collaborations: list[Collaboration], workstreams: list[Workstream],
           today: dt.date) -> BoardReport:
    """Projects are the collaborations assigned to a workstream; rejected and closed
    ones are history, not projects to monitor."""
    sections = []
    totals: Counter[str] = Counter()
    for w in sorted(workstreams, key=lambda w: (w.position, w.id)):
        projects = [project(c, today) for c in collaborations
                    if c.workstream == w.id and c.status not in (Status.REJECTED,
                                                                 Status.CLOSED)]
        counts = Counter(f.code for p in projects for f in p.flags)
        totals.update(counts)
        sections.append(WorkstreamReport(
            id=w.id, name=w.name, description=w.description, lead=w.lead, projects=projects,
            smart_projects=sum(p.smart for p in projects), flags=dict(counts)))
    all_projects = [p for s in sections for p in s.projects]
    return BoardReport(
        as_of=today.isoformat(), workstreams=sections, projects=len(all_projects),
        smart_projects=sum(p.smart for p in all_projects),
        overdue=sum(any(f.code == "overdue" for f in p.flags) for p in all_projects),
        off_target=sum(any(f.code == "off-target" for f in p.flags) for p in all_projects),
        flags=dict(totals))


class Board:
    """The board's report over the register as it is now, live benefits included."""

    def __init__(self, register: Register) -> None:
        self._register = register

    async def report(self, today: dt.date) -> BoardReport:
        items, workstreams = await self._register.everything()
        return report(items, workstreams, today)
