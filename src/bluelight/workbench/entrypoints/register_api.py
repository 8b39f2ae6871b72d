"""Workbench HTTP API: the register of collaborations, the board view and the public
performance report. Thin: each handler calls one use case of the workbench (one
short-lived transaction on its database, in a worker thread)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Annotated, TypeVar

import msgspec
from starlette.responses import Response

from bluelight.kernel.routing import Api, Call, Param, Result
from bluelight.workbench.domain.collaboration import (
    Benefit,
    Category,
    ChangeStatus,
    Collaboration,
    CollaborationChanges,
    NewActual,
    NewBenefit,
    NewCollaboration,
    PartnerServiceName,
    Status,
    Workstream,
)
from bluelight.workbench.entrypoints import workbench_of
from bluelight.workbench.services import performance
from bluelight.workbench.services.board import BoardReport
from bluelight.workbench.services.performance import PerformanceReport
from bluelight.workbench.services.register import (
    AreaPage,
    AreaSummary,
    Contact,
    Filters,
    Register,
    RegisterStats,
)

api = Api()
TAG = "workbench: register"
BASE = "/v1/workbench/register"
_READ_ERRORS = (401, 404, 422)
_WRITE_ERRORS = (400, 401, 404, 409, 413, 415, 422)
Text = Annotated[str, msgspec.Meta(max_length=200)]
T = TypeVar("T")


async def _run(call: Call, use: Callable[[Register], T]) -> T:
    register = workbench_of(call).register
    return await asyncio.to_thread(use, register)


def _who(call: Call) -> str | None:
    return call.operator or call.agency


def _today(call: Call) -> dt.date:
    return call.query.get("as_of") or dt.date.today()


_FILTERS = (
    Param("q", Text | None, "Text to find in the title, description, area, partner "
                            "organisations or people"),
    Param("area", Text | None, "Only this area (exact name, any case)"),
    Param("category", Category | None, "Only this category"),
    Param("status", Status | None, "Only this status"),
    Param("service", PartnerServiceName | None, "Only collaborations with a partner of "
                                                "this service"),
    Param("workstream", Text | None, "Only this workstream (its id)"),
)


@api.route("GET", f"{BASE}/collaborations", summary="Search the register", tag=TAG,
           response=list[Collaboration], errors=(401, 422), query=_FILTERS,
           description="Every collaboration matching all the filters given, ordered by area. "
                       "Each carries its partners, leaders and contacts, status history, "
                       "benefits with actuals, and provenance (seed document and section).")
async def register_list(call: Call) -> list[Collaboration]:
    q = call.query
    f = Filters(text=q["q"], area=q["area"],
                category=q["category"].value if q["category"] else None,
                status=q["status"].value if q["status"] else None,
                service=q["service"],
                workstream=q["workstream"])
    return await _run(call, lambda r: r.search(f))


@api.route("POST", f"{BASE}/collaborations", summary="Add a collaboration", tag=TAG,
           body=NewCollaboration, ok=201, response=Collaboration, errors=_WRITE_ERRORS,
           description="Records who added it (the signed-in operator, else the agency) in the "
                       "status history. `id` is optional (generated when absent); a rejected "
                       "collaboration needs `status_reason`. Dates may be YYYY, YYYY-MM or "
                       "YYYY-MM-DD.")
async def register_create(call: Call) -> Result:
    now = time.time()
    created = await _run(call, lambda r: r.create(call.body, _who(call), now))
    return Result(201, created)


@api.route("GET", f"{BASE}/collaborations/{{collaboration_id}}", summary="One collaboration",
           tag=TAG, response=Collaboration, errors=_READ_ERRORS,
           description="The multi-agency incident transfer collaboration (`live_source` "
                       "\"hub\") also carries live benefits computed from this hub's own "
                       "transfer figures (marked `live`).")
async def register_get(call: Call) -> Collaboration:
    c = await _run(call, lambda r: r.get(call.path["collaboration_id"]))
    return await workbench_of(call).register.with_live(c)


@api.route("PATCH", f"{BASE}/collaborations/{{collaboration_id}}",
           summary="Change a collaboration's details", tag=TAG, body=CollaborationChanges,
           response=Collaboration, errors=_WRITE_ERRORS,
           description="Only the fields sent change; `partners` and `people` replace the "
                       "lists. The status changes through POST …/status.")
async def register_update(call: Call) -> Collaboration:
    now = time.time()
    return await _run(call, lambda r: r.update(call.path["collaboration_id"], call.body, now))


@api.route("POST", f"{BASE}/collaborations/{{collaboration_id}}/status",
           summary="Change a collaboration's status", tag=TAG, body=ChangeStatus,
           response=Collaboration, errors=_WRITE_ERRORS,
           description="Allowed moves: idea → considered/planned/rejected; considered → "
                       "idea/planned/rejected; planned → considered/in-delivery/rejected; "
                       "in-delivery → planned/live/closed; live → closed; rejected → "
                       "idea/considered. Rejecting needs a `reason`. Who, when and why are "
                       "kept in `status_history`.")
async def register_change_status(call: Call) -> Collaboration:
    now = time.time()
    return await _run(call, lambda r: r.change_status(
        call.path["collaboration_id"], call.body, _who(call), now))


@api.route("POST", f"{BASE}/collaborations/{{collaboration_id}}/benefits",
           summary="Add a benefit (a measure with baseline and target)", tag=TAG,
           body=NewBenefit, ok=201, response=Benefit, errors=_WRITE_ERRORS,
           description="`unit` says what the numbers count (GBP, GBP/year, hours, minutes, "
                       "people…); `kind` what sort of figure it is (saving, funding, time…). "
                       "Reports only add figures of the same kind and unit.")
async def register_add_benefit(call: Call) -> Result:
    now = time.time()
    benefit = await _run(call, lambda r: r.add_benefit(
        call.path["collaboration_id"], call.body, now))
    return Result(201, benefit)


@api.route("POST", f"{BASE}/collaborations/{{collaboration_id}}/benefits/{{benefit_id}}"
                   f"/actuals", summary="Record an actual value of a benefit", tag=TAG,
           body=NewActual, ok=201, response=Benefit, errors=_WRITE_ERRORS)
async def register_add_actual(call: Call) -> Result:
    now = time.time()
    benefit = await _run(call, lambda r: r.add_actual(
        call.path["collaboration_id"], call.path["benefit_id"], call.body, _who(call), now))
    return Result(201, benefit)


@api.route("GET", f"{BASE}/collaborations/{{collaboration_id}}/contact",
           summary="Contact the project lead", tag=TAG, response=Contact,
           errors=_READ_ERRORS,
           description="The peer network's purpose: whom to ask about this collaboration. "
                       "`leads` are the named leaders; `via` are contacts (with email or "
                       "phone) who put practitioners in touch when the source gives no "
                       "direct details.")
async def register_contact(call: Call) -> Contact:
    return await _run(call, lambda r: r.contact(call.path["collaboration_id"]))


@api.route("GET", f"{BASE}/areas", summary="Areas and how many collaborations each has",
           tag=TAG, response=list[AreaSummary], errors=(401,))
async def register_areas(call: Call) -> list[AreaSummary]:
    return await _run(call, Register.areas)


@api.route("GET", f"{BASE}/areas/{{area}}", summary="Everything about one area", tag=TAG,
           response=AreaPage, errors=_READ_ERRORS,
           description="The data of an area's page: its collaborations, leaders, counts by "
                       "status and category, and source documents. The area name is "
                       "URL-encoded (e.g. Wales%20(South)).")
async def register_area(call: Call) -> AreaPage:
    return await _run(call, lambda r: r.area_page(call.path["area"]))


@api.route("GET", f"{BASE}/workstreams", summary="Strategic Collaboration Board workstreams",
           tag=TAG, response=list[Workstream], errors=(401,))
async def register_workstreams(call: Call) -> list[Workstream]:
    return await _run(call, Register.workstreams)


@api.route("GET", f"{BASE}/stats", summary="Counts of the register", tag=TAG,
           response=RegisterStats, errors=(401,))
async def register_stats(call: Call) -> RegisterStats:
    return await _run(call, Register.stats)


@api.route("GET", f"{BASE}/live-evidence",
           summary="The hub's measured benefits of multi-agency incident transfer", tag=TAG,
           response=list[Benefit], errors=(401,),
           description="Transfers, median time to a partner's decision against the phone "
                       "baseline, and control-room hours saved: computed now from the hub's "
                       "own records, never entered by hand.")
async def register_live_evidence(call: Call) -> list[Benefit]:
    return await workbench_of(call).register.live_evidence()


# A date (the document says format: date): one that does not exist is a 422.
_AS_OF = (Param("as_of", dt.date | None, "Judge dates as of this day (YYYY-MM-DD); "
                                         "default today"),)


@api.route("GET", "/v1/workbench/board", summary="Board monitoring report", tag=TAG,
           response=BoardReport, errors=(401, 422), query=_AS_OF,
           description="Each Strategic Collaboration Board workstream with its projects "
                       "(collaborations assigned to it, not rejected or closed), a SMART "
                       "check of each (specific, measurable, achievable, relevant, "
                       "time-bound, owner) and overdue / off-target flags, each with an "
                       "explanation.")
async def register_board(call: Call) -> BoardReport:
    return await workbench_of(call).board.report(_today(call))


@api.route("GET", "/v1/workbench/performance", summary="Performance roll-up (JSON)", tag=TAG,
           response=PerformanceReport, errors=(401, 422), query=_AS_OF,
           description="Baselines, targets and latest actuals summed by workstream, area and "
                       "category, within one kind and unit only.")
async def register_performance(call: Call) -> PerformanceReport:
    return await workbench_of(call).performance.report(_today(call))


@api.route("GET", "/v1/workbench/report.html", summary="Public performance report (HTML)",
           tag=TAG, auth=False, errors=(422,), query=_AS_OF,
           description="Public: no sign-in. A self-contained, accessible HTML page (no "
                       "scripts or external resources).")
async def register_report_html(call: Call) -> Response:
    page = performance.to_html(await workbench_of(call).performance.report(_today(call)))
    return Response(page, media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "default-src 'none'; "
                             "style-src 'unsafe-inline'"})


@api.route("GET", "/v1/workbench/report.csv", summary="Public performance report (CSV)",
           tag=TAG, auth=False, errors=(422,), query=_AS_OF,
           description="Public: no sign-in. One row per dimension, group, kind and unit.")
async def register_report_csv(call: Call) -> Response:
    text = performance.to_csv(await workbench_of(call).performance.report(_today(call)))
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="performance.csv"'})
