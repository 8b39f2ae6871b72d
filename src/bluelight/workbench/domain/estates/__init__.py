"""Estates, fleet and workforce of emergency services and responders: the rules behind
Audit Wales's data tool (Joint Working Between Emergency Services, January 2022,
Exhibits 3 to 6), with no I/O.

Two ways to know an organisation's estate: a list of its buildings, or only the counts it
returned (as the report publishes them). The report works from either; where both exist
for an organisation, its buildings win, as the more detailed and more recent record.

One module per part: `records` (the records and their vocabularies), `names`
(organisation names), `rows` (checking a CSV return's rows), `report` (Exhibits 3, 5
and 6) and `places` (the gazetteer and distances). Callers import from here."""

from __future__ import annotations

from bluelight.workbench.domain.estates.names import clean_name, name_key, slug
from bluelight.workbench.domain.estates.places import (
    METRES_PER,
    PLACES,
    Place,
    Unit,
    already_together,
    co_location_pairs,
    planar_m,
    within,
)
from bluelight.workbench.domain.estates.records import (
    BUILDING_TYPES,
    ESTATES_SERVICES,
    KINDS,
    TENURES,
    Building,
    BuildingCount,
    BuildingProperties,
    BuildingRef,
    BuildingType,
    EstatesDataset,
    EstatesServiceName,
    FleetLine,
    Kind,
    Organisation,
    Row,
    Tenure,
    WorkforceLine,
    building_projection,
    project,
)
from bluelight.workbench.domain.estates.report import (
    EstateLine,
    EstateTotal,
    FleetRow,
    FleetTable,
    FleetTotal,
    ServiceShare,
    VehicleType,
    WorkforceRow,
    WorkforceTable,
    WorkforceTotal,
    estate_lines,
    estate_total,
    fleet_table,
    service_order,
    service_shares,
    share_pct,
    whole_pounds,
    workforce_table,
)
from bluelight.workbench.domain.estates.rows import (
    CHECKS,
    MAX_UPRN,
    Unreadable,
    check_building,
    check_coordinates,
    check_count,
    check_file,
    check_fleet,
    check_workforce,
    locate_building,
    normal_postcode,
    row_service,
)

__all__ = [
    "BUILDING_TYPES", "CHECKS", "ESTATES_SERVICES", "KINDS", "MAX_UPRN", "METRES_PER", "PLACES",
    "TENURES", "Building", "BuildingCount", "BuildingProperties", "BuildingRef",
    "BuildingType", "EstateLine", "EstateTotal", "EstatesDataset", "EstatesServiceName",
    "FleetLine", "FleetRow", "FleetTable", "FleetTotal", "Kind", "Organisation", "Place", "Row",
    "ServiceShare", "Tenure", "Unit", "Unreadable", "VehicleType", "WorkforceLine",
    "WorkforceRow", "WorkforceTable", "WorkforceTotal", "already_together", "building_projection",
    "check_building", "check_coordinates", "check_count", "check_file", "check_fleet",
    "check_workforce", "clean_name", "co_location_pairs", "estate_lines", "estate_total",
    "fleet_table", "locate_building", "name_key", "normal_postcode", "planar_m", "project",
    "row_service", "service_order", "service_shares", "share_pct", "slug", "whole_pounds",
    "within", "workforce_table",
]
