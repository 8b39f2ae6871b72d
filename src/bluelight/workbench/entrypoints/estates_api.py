"""Workbench HTTP API: estates, fleet and workforce (Audit Wales Exhibits 3 to 6), the
buildings map, distance queries and the co-location finder.

Every endpoint takes `dataset` ("main" by default: the working figures, which start with
the Audit Wales ones; "sample" is a synthetic list of buildings for trying the map and the
finder). Handlers run the workbench's use case on a worker thread (one short-lived
transaction on its database)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import msgspec

from bluelight.kernel.routing import Api, Call, Param
from bluelight.workbench.domain.estates import (
    EstatesDataset,
    EstatesServiceName,
    FleetTable,
    Unit,
    WorkforceTable,
)
from bluelight.workbench.entrypoints import workbench_of
from bluelight.workbench.services.estates import (
    BuildingCollection,
    Estates,
    EstatesImportResult,
    EstatesReport,
    Opportunities,
    OrganisationOut,
    PlaceOut,
    WithinResult,
)

api = Api()
TAG = "workbench: estates"
BASE = "/v1/workbench/estates"

DatasetId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$",
                                        description="A dataset: main, sample or your own")]
Radius = Annotated[float, msgspec.Meta(gt=0, le=1000)]
Km = Annotated[float, msgspec.Meta(gt=0, le=100)]
Limit = Annotated[int, msgspec.Meta(ge=1, le=1000)]
_DATASET = Param("dataset", DatasetId, "The dataset (default main)", "main")


def _estates(call: Call) -> Estates:
    return workbench_of(call).estates


@api.route("POST", BASE + "/import/{kind}", summary="Import a CSV of buildings, building "
           "counts, fleet or workforce", tag=TAG, raw_body=True, response=EstatesImportResult,
           errors=(401, 403, 413, 422),
           query=(_DATASET,
                  Param("skip_invalid", bool, "Store the valid rows and report the invalid "
                        "ones (an organisation with any invalid row is skipped whole). "
                        "Default: one invalid row stores nothing", False)),
           description="`kind` is buildings, counts, fleet or workforce; the body is the CSV "
                       "file (UTF-8, header row first; see docs/decisions/0014 for the "
                       "columns). Each organisation's lines of that kind in the dataset "
                       "are replaced by the file's, so importing a file twice changes "
                       "nothing. Unless `skip_invalid`, any invalid row stores nothing and "
                       "the 422 problem lists every fault in `errors`, with `field` = "
                       "\"row N: column\" (N = the file's line number; the header is row 1).")
async def import_csv(call: Call) -> EstatesImportResult:
    text = workbench_of(call).formats.estates_csv.decode_text(call.body)
    return await asyncio.to_thread(_estates(call).import_csv, call.path["kind"], text,
                                   call.query["dataset"],
                                   skip_invalid=call.query["skip_invalid"])


@api.route("POST", BASE + "/fixture", summary="Load the shipped Audit Wales figures and "
           "the synthetic sample again", tag=TAG, response=list[EstatesImportResult],
           errors=(401, 403))
async def load_fixture(call: Call) -> list[EstatesImportResult]:
    return await asyncio.to_thread(_estates(call).load_fixture)


@api.route("GET", BASE + "/report", summary="Buildings, shared buildings and co-location "
           "share per organisation, with fleet and workforce (Exhibits 3, 5, 6)", tag=TAG,
           response=EstatesReport, errors=(401, 404, 422), query=(_DATASET,))
async def estates_report(call: Call) -> EstatesReport:
    return await asyncio.to_thread(_estates(call).report, call.query["dataset"])


@api.route("GET", BASE + "/fleet", summary="Fleet, maintenance cost and mileage per "
           "organisation (Exhibit 5)", tag=TAG, response=FleetTable, errors=(401, 404, 422),
           query=(_DATASET,))
async def estates_fleet(call: Call) -> FleetTable:
    return await asyncio.to_thread(_estates(call).fleet, call.query["dataset"])


@api.route("GET", BASE + "/workforce", summary="Workforce per organisation by role "
           "(Exhibit 6)", tag=TAG, response=WorkforceTable, errors=(401, 404, 422),
           query=(_DATASET,))
async def estates_workforce(call: Call) -> WorkforceTable:
    return await asyncio.to_thread(_estates(call).workforce, call.query["dataset"])


@api.route("GET", BASE + "/buildings", summary="Buildings as GeoJSON points, for a map",
           tag=TAG, response=BuildingCollection, errors=(401, 404, 422),
           query=(_DATASET,
                  Param("organisation", str | None, "Only this organisation's (by name)"),
                  Param("service", EstatesServiceName | None, "Only this service's")),
           description="A GeoJSON FeatureCollection: [lon, lat] points, with null geometry "
                       "for a building with no coordinates. `synthetic` is true for the "
                       "sample dataset.")
async def estates_buildings(call: Call) -> BuildingCollection:
    q = call.query
    return await asyncio.to_thread(_estates(call).buildings, q["dataset"],
                                   organisation=q["organisation"], service=q["service"])


@api.route("GET", BASE + "/within", summary="Buildings within a distance of a place",
           tag=TAG, response=WithinResult, errors=(401, 404, 422),
           query=(Param("place", str | None, "A place of the gazetteer (see /places)"),
                  Param("lat", float | None, "Latitude (WGS84), with lon"),
                  Param("lon", float | None, "Longitude (WGS84), with lat"),
                  Param("easting", float | None, "British National Grid easting, with "
                        "northing"),
                  Param("northing", float | None, "British National Grid northing"),
                  Param("radius", Radius, "The distance", 10.0),
                  Param("unit", Unit, "km, mi or m", "km"), _DATASET),
           description="Give exactly one of place, lat/lon or easting/northing. Distances "
                       "are straight lines on the British National Grid (as the crow "
                       "flies); the edge counts as within.")
async def estates_within(call: Call) -> WithinResult:
    q = call.query
    estates = _estates(call)

    def run() -> WithinResult:
        centre = estates.centre(place=q["place"], lat=q["lat"], lon=q["lon"],
                                easting=q["easting"], northing=q["northing"])
        return estates.within(centre, q["radius"], q["unit"], q["dataset"])

    return await asyncio.to_thread(run)


@api.route("GET", BASE + "/opportunities", summary="Co-location opportunities: buildings "
           "of different services near each other, nearest first", tag=TAG,
           response=Opportunities, errors=(401, 404, 422),
           query=(Param("km", Km, "At most this far apart, in km", 2.0),
                  Param("limit", Limit, "At most this many pairs", 50), _DATASET),
           description="Pairs of buildings of different services within `km` of each "
                       "other whose organisations do not already share either building, "
                       "nearest first.")
async def estates_opportunities(call: Call) -> Opportunities:
    q = call.query
    return await asyncio.to_thread(_estates(call).opportunities, q["km"], q["limit"],
                                   q["dataset"])


@api.route("GET", BASE + "/organisations", summary="Organisations and their services",
           tag=TAG, response=list[OrganisationOut], errors=(401,))
async def estates_organisations(call: Call) -> list[OrganisationOut]:
    return await asyncio.to_thread(_estates(call).organisations)


@api.route("GET", BASE + "/datasets", summary="Datasets and how many lines each holds",
           tag=TAG, response=list[EstatesDataset], errors=(401,))
async def estates_datasets(call: Call) -> list[EstatesDataset]:
    return await asyncio.to_thread(_estates(call).datasets)


@api.route("GET", BASE + "/places", summary="The gazetteer of places to measure from",
           tag=TAG, response=list[PlaceOut], errors=(401,))
async def estates_places(call: Call) -> list[PlaceOut]:
    return _estates(call).places()

