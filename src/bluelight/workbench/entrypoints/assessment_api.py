"""Workbench HTTP API: the Audit Wales self-assessment (Appendix 4 checklist).

Thin: each handler turns a request into one call of the workbench's `SelfAssessments`,
run on a thread (one short-lived transaction on the workbench database). Any authenticated agency (or console
operator) may read and answer: a partnership's assessment is shared work. Charts are
served as image/svg+xml, ready for an <img> or inline use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import msgspec
from starlette.responses import Response

from bluelight.kernel.errors import Invalid
from bluelight.kernel.routing import Api, Call, Param, Result
from bluelight.workbench.domain.assessment import (
    AnswerBody,
    AssessmentChanges,
    AssessmentStatus,
    NewAssessment,
    RespondentComparison,
    Year,
    YearComparison,
)
from bluelight.workbench.entrypoints import workbench_of
from bluelight.workbench.services.assessment import (
    AssessmentSummary,
    AssessmentView,
    Checklist,
    Radar,
    SelfAssessments,
    checklist,
)

api = Api()

BASE = "/v1/workbench/assessments"
TAG = "workbench: self-assessment"
SVG = "image/svg+xml"
_WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)
_YEARS = r"^\d{4}(,\d{4}){0,19}$"
_IDS = r"^[A-Za-z0-9_-]{1,60}(,[A-Za-z0-9_-]{1,60}){0,7}$"
Partnership = Param("partnership", Annotated[str, msgspec.Meta(max_length=200)] | None,
                    "The partnership, as named in its assessments (case and spacing do not "
                    "matter)")
# The comparisons need a partnership and the years: required parameters (no default).
ThePartnership = Param("partnership", Annotated[str, msgspec.Meta(
    min_length=1, max_length=200, pattern=r"\S")], Partnership.description)
Drafts = Param("drafts", bool, "Include drafts (by default only submitted assessments "
               "are compared)", False)
Years = Param("years", Annotated[str, msgspec.Meta(pattern=_YEARS)],
              "Comma-separated years, e.g. 2022,2023")
OneYear = Param("year", Year | None, "The year")
TheYear = Param("year", Year, "The year")
T = TypeVar("T")


async def _run(call: Call, use: Callable[[SelfAssessments], T]) -> T:
    return await asyncio.to_thread(use, workbench_of(call).assessments)


def _svg(call: Call, radar: Radar) -> Response:
    return Response(workbench_of(call).formats.radar.render(radar), media_type=SVG,
                    headers={"Cache-Control": "no-store"})


def _required(call: Call, name: str) -> Any:
    value = call.query[name]
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid.field(f"query.{name}", "is required")
    return value


def _years(call: Call) -> list[int]:
    return [int(y) for y in _required(call, "years").split(",")]


@api.route("GET", f"{BASE}/statements", summary="The self-assessment checklist", tag=TAG,
           response=Checklist, errors=(401,),
           description="The 16 statements of Audit Wales's Appendix 4, worded as in the "
                       "report, with their ids, the rating scale (Always 2, Sometimes 1, "
                       "Never 0), the Exhibit 9 success factors they build on and "
                       "recommendation R9.")
async def assessment_statements(call: Call) -> Checklist:
    return checklist()


@api.route("GET", BASE, summary="Assessments, by partnership and year", tag=TAG,
           response=list[AssessmentSummary], errors=(401, 422),
           query=(Partnership, OneYear,
                  Param("status", AssessmentStatus | None, "Only drafts or only submitted ones")))
async def list_assessments(call: Call) -> list[AssessmentSummary]:
    q = call.query
    return await _run(call, lambda s: s.list(q["partnership"], q["year"], q["status"]))


@api.route("POST", BASE, summary="Start an assessment (a draft)", tag=TAG,
           body=NewAssessment, ok=201, response=AssessmentView, errors=_WRITE_ERRORS,
           description="One respondent's assessment of a partnership for a year. Answers "
                       "are optional: a draft may be partial. A respondent (name and "
                       "organisation) has one assessment per partnership and year (409).")
async def create_assessment(call: Call) -> Result:
    return Result(201, await _run(call, lambda s: s.create(call.body, call.agency)))


@api.route("GET", f"{BASE}/radar.svg", summary="Radar chart overlaying assessments",
           tag=TAG, errors=(401, 404, 422),
           query=(Param("ids", Annotated[str, msgspec.Meta(pattern=_IDS)],
                        "Comma-separated assessment ids (at most 8)"),),
           description="An accessible SVG (image/svg+xml): one axis per statement, one "
                       "polygon per assessment.")
async def assessments_radar(call: Call) -> Response:
    ids = _required(call, "ids").split(",")
    radar = await _run(call, lambda s: s.radar_of(ids))
    return _svg(call, radar)


@api.route("GET", f"{BASE}/comparisons/years", summary="Compare a partnership year on year",
           tag=TAG, response=YearComparison, errors=(401, 422),
           query=(ThePartnership, Years, Drafts),
           description="Per statement: the mean points of each year's respondents and the "
                       "change from the earliest to the latest year (improved, worse, same).")
async def compare_years(call: Call) -> YearComparison:
    partnership, years = _required(call, "partnership"), _years(call)
    return await _run(call, lambda s: s.compare_years(partnership, years,
                                                      call.query["drafts"]))


@api.route("GET", f"{BASE}/comparisons/years/radar.svg",
           summary="Radar chart of a partnership year on year", tag=TAG,
           errors=(401, 422), query=(ThePartnership, Years, Drafts),
           description="An accessible SVG (image/svg+xml), one polygon per year.")
async def compare_years_radar(call: Call) -> Response:
    partnership, years = _required(call, "partnership"), _years(call)
    radar = await _run(call, lambda s: s.radar_years(partnership, years, call.query["drafts"]))
    return _svg(call, radar)


@api.route("GET", f"{BASE}/comparisons/respondents",
           summary="Compare respondents of a partnership in a year", tag=TAG,
           response=RespondentComparison, errors=(401, 422),
           query=(ThePartnership, TheYear, Drafts),
           description="Per statement: how many answered Always, Sometimes and Never, the "
                       "spread of points, and whether respondents disagree (both Always "
                       "and Never given).")
async def compare_respondents(call: Call) -> RespondentComparison:
    partnership, year = _required(call, "partnership"), _required(call, "year")
    return await _run(call, lambda s: s.compare_respondents(partnership, year,
                                                            call.query["drafts"]))


@api.route("GET", f"{BASE}/comparisons/respondents/radar.svg",
           summary="Radar chart of a partnership's respondents in a year", tag=TAG,
           errors=(401, 404, 422), query=(ThePartnership, TheYear, Drafts),
           description="An accessible SVG (image/svg+xml), one polygon per respondent.")
async def compare_respondents_radar(call: Call) -> Response:
    partnership, year = _required(call, "partnership"), _required(call, "year")
    radar = await _run(call, lambda s: s.radar_respondents(partnership, year,
                                                           call.query["drafts"]))
    return _svg(call, radar)


@api.route("GET", f"{BASE}/{{assessment_id}}", summary="One assessment with its score",
           tag=TAG, response=AssessmentView, errors=(401, 404))
async def get_assessment(call: Call) -> AssessmentView:
    return await _run(call, lambda s: s.get(call.path["assessment_id"]))


@api.route("PATCH", f"{BASE}/{{assessment_id}}", summary="Change a draft", tag=TAG,
           body=AssessmentChanges, response=AssessmentView, errors=_WRITE_ERRORS,
           description="Only the fields sent change. Each answer sent replaces that "
                       "statement's answer; an answer with no rating, evidence or actions "
                       "withdraws it. A submitted assessment no longer changes (409).")
async def change_assessment(call: Call) -> AssessmentView:
    return await _run(call, lambda s: s.change(call.path["assessment_id"], call.body))


@api.route("DELETE", f"{BASE}/{{assessment_id}}", summary="Delete a draft", tag=TAG,
           ok=204, errors=(401, 403, 404, 409))
async def delete_assessment(call: Call) -> Response:
    await _run(call, lambda s: s.withdraw(call.path["assessment_id"]))
    return Response(status_code=204)


@api.route("PUT", f"{BASE}/{{assessment_id}}/answers/{{statement_id}}",
           summary="Answer one statement of a draft", tag=TAG, body=AnswerBody,
           response=AssessmentView, errors=_WRITE_ERRORS)
async def answer_statement(call: Call) -> AssessmentView:
    return await _run(call, lambda s: s.answer(call.path["assessment_id"],
                                               call.path["statement_id"], call.body))


@api.route("POST", f"{BASE}/{{assessment_id}}/submit", summary="Submit a complete assessment",
           tag=TAG, response=AssessmentView, errors=(401, 403, 404, 409, 422),
           description="Needs a rating for all 16 statements: otherwise a 422 whose errors "
                       "name each unanswered statement (`answers.A4-07.rating`).")
async def submit_assessment(call: Call) -> AssessmentView:
    return await _run(call, lambda s: s.submit(call.path["assessment_id"]))


@api.route("GET", f"{BASE}/{{assessment_id}}/radar.svg",
           summary="Radar chart of one assessment", tag=TAG, errors=(401, 404),
           description="An accessible SVG (image/svg+xml): one axis per statement.")
async def assessment_radar(call: Call) -> Response:
    radar = await _run(call, lambda s: s.radar_of([call.path["assessment_id"]]))
    return _svg(call, radar)
