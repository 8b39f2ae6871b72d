"""Use cases of the estates, fleet and workforce data tool: import CSV returns, load the
shipped figures, report Exhibits 3, 5 and 6, count buildings near a place and find
co-location opportunities.

`Estates` is given the unit of work (each use case is one transaction of it), the geodesy
(BNG <-> WGS84), the shipped fixtures and the CSV reader; `bluelight.bootstrap` builds
it.

Two datasets are shipped and start with their fixture the first time they are used (read
or written): "main", with the Audit Wales figures as published, and "sample", a synthetic
list of buildings for distance queries, the map and the co-location finder. See
docs/decisions/0014-estates-data-tool.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import msgspec

from bluelight.kernel.errors import Faults, FieldFault, Invalid, NotFound
from bluelight.wire.service import BLUE_LIGHT, Service
from bluelight.workbench.domain import estates as d
from bluelight.workbench.services.ports import EstatesRepository, Geodesy, UnitOfWork

R = TypeVar("R")
MAIN = "main"
SAMPLE = "sample"
# (title, synthetic) of each shipped dataset; the fixture texts come from `Fixtures`.
SHIPPED: dict[str, tuple[str, bool]] = {
    MAIN: ("Emergency services' estate, fleet and workforce in Wales (starts with Audit "
           "Wales, Joint Working Between Emergency Services, 2022, Exhibits 3, 5 and 6)",
           False),
    SAMPLE: ("SYNTHETIC sample buildings: invented names and approximate positions, for "
             "trying the map, distance queries and the co-location finder; not real data",
             True),
}
_DATASET_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
MAX_ROW_FAULTS_IN_DETAIL = 5


# dataset id -> [(kind, CSV text)] of its shipped fixture
Fixtures = Callable[[str], list[tuple[str, str]]]
# kind, text, faults, progress -> rows (line, typed fields)
CsvReader = Callable[..., list[Any]]


# ---------------------------------------------------------------------------------------
# Results


class EstatesRowFault(msgspec.Struct, kw_only=True):
    row: int
    column: str
    fault: str


class EstatesImportResult(msgspec.Struct, kw_only=True):
    kind: d.Kind
    dataset: str
    rows: int  # data rows read
    imported: int  # rows stored
    organisations: list[str]  # whose lines of this kind were replaced
    skipped: list[EstatesRowFault] = []  # with skip_invalid: the faults of rows not stored
    skipped_organisations: list[str] = []  # with skip_invalid: not imported at all


class EstatesReport(msgspec.Struct, kw_only=True):
    dataset: str
    synthetic: bool
    organisations: list[d.EstateLine]
    total: d.EstateTotal
    services: list[d.ServiceShare]
    fleet: d.FleetTable
    workforce: d.WorkforceTable
    hint: str | None = None


class DistanceCentre(msgspec.Struct, kw_only=True):
    name: str | None = None
    easting: float
    northing: float
    lat: float
    lon: float


class Nearby(msgspec.Struct, kw_only=True):
    distance_km: float
    distance_mi: float
    building: d.BuildingRef


class WithinResult(msgspec.Struct, kw_only=True):
    dataset: str
    synthetic: bool
    centre: DistanceCentre
    radius: float
    unit: d.Unit
    count: int
    by_service: dict[str, int]
    buildings: list[Nearby]
    unlocated: int  # buildings of the dataset with no coordinates, so not counted
    method: str = "straight line on the British National Grid (as the crow flies)"
    hint: str | None = None


class Opportunity(msgspec.Struct, kw_only=True):
    rank: int
    distance_km: float
    a: d.BuildingRef
    b: d.BuildingRef


class Opportunities(msgspec.Struct, kw_only=True):
    dataset: str
    synthetic: bool
    km: float
    count: int
    opportunities: list[Opportunity]
    ranking: str = ("nearest first; pairs of buildings of different services whose "
                    "organisations do not already share either building")
    hint: str | None = None


class GeoJsonPoint(msgspec.Struct, kw_only=True):
    type: Literal["GeoJsonPoint"] = "GeoJsonPoint"
    coordinates: tuple[float, float]  # [lon, lat], GeoJSON order


class BuildingFeature(msgspec.Struct, kw_only=True):
    type: Literal["Feature"] = "Feature"
    geometry: GeoJsonPoint | None  # null for a building with no coordinates
    properties: d.BuildingProperties


class BuildingCollection(msgspec.Struct, kw_only=True):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    dataset: str
    synthetic: bool
    features: list[BuildingFeature]


class OrganisationOut(msgspec.Struct, kw_only=True):
    id: str
    name: str
    service: Service
    blue_light: bool


class PlaceOut(msgspec.Struct, kw_only=True):
    name: str
    easting: float
    northing: float
    lat: float
    lon: float
    source: str


# ---------------------------------------------------------------------------------------


def check_dataset_id(dataset: str) -> str:
    if not _DATASET_ID.match(dataset):
        raise Invalid.field("dataset", "must be 1-60 lower-case letters, digits or hyphens, "
                                       "starting with a letter or digit")
    return dataset


class Estates:
    def __init__(self, uow: UnitOfWork, geodesy: Geodesy, fixtures: Fixtures,
                 read_csv: CsvReader) -> None:
        self._uow = uow
        self._geodesy = geodesy
        self._fixtures = fixtures
        self._read_csv = read_csv

    def _transaction(self, job: Callable[[EstatesRepository], R]) -> R:
        """One transaction of the unit of work, on the estates' repository."""
        return self._uow.run(lambda tx: job(tx.estates))

    # -- writing -----------------------------------------------------------------------

    def import_csv(self, kind: str, text: str, dataset: str = MAIN, *,
                   skip_invalid: bool = False,
                   progress: Callable[[int], None] | None = None) -> EstatesImportResult:
        """Import a CSV return. Every row is checked first; unless `skip_invalid`, one bad
        row stores nothing and every fault is reported (`Invalid`, fields "row N: column").
        For each organisation in the file, its lines of this kind in the dataset are
        replaced by the file's, so importing the same file twice changes nothing."""
        if kind not in d.KINDS:
            raise Invalid.field("kind", f"must be one of {', '.join(d.KINDS)}")
        check_dataset_id(dataset)
        return self._transaction(lambda repo: self._import(repo, kind, text, dataset,
                                                           skip_invalid, progress))

    def load_fixture(self, datasets: tuple[str, ...] = (MAIN, SAMPLE)) -> list[EstatesImportResult]:
        """Load the shipped figures again (idempotent: replaces the same organisations'
        lines and leaves everything else alone)."""
        for ds in datasets:
            if ds not in SHIPPED:
                raise Invalid.field("dataset", f"no shipped fixture for '{ds}' "
                                               f"(shipped: {', '.join(SHIPPED)})")

        def job(repo: EstatesRepository) -> list[EstatesImportResult]:
            results = []
            for ds in datasets:
                if repo.dataset(ds) is None:
                    repo.add_dataset(ds, *SHIPPED[ds])
                for kind, text in self._fixtures(ds):
                    results.append(self._import(repo, kind, text, ds, False, None))
            return results

        return self._transaction(job)

    def _open(self, repo: EstatesRepository, dataset: str, *, create: bool) -> d.EstatesDataset:
        """The dataset; a shipped one is created with its fixture the first time."""
        info = repo.dataset(dataset)
        if info is not None:
            return info
        if dataset in SHIPPED:
            repo.add_dataset(dataset, *SHIPPED[dataset])
            for kind, text in self._fixtures(dataset):
                self._import(repo, kind, text, dataset, False, None)
        elif create:
            repo.add_dataset(dataset, f"Imported: {dataset}", False)
        else:
            raise NotFound("dataset: no such dataset", [FieldFault("dataset", "no such dataset")])
        return repo.dataset(dataset)

    def _import(self, repo: EstatesRepository, kind: str, text: str, dataset: str,
                skip_invalid: bool, progress: Callable[[int], None] | None) -> EstatesImportResult:
        self._open(repo, dataset, create=True)
        faults = Faults()
        csv_rows = self._read_csv(kind, text, faults, progress)
        faulted: dict[int, set[str]] = {}
        for f in faults.items:
            faulted.setdefault(_line(f.field), set()).add(f.field)
        rows: list[d.Row] = []
        orgs_of_line: dict[int, str] = {}
        org_names: dict[str, str] = {}
        for csv_row in csv_rows:
            where = f"row {csv_row.line}"
            mine = Faults()
            service = d.row_service(csv_row.fields, mine, where)
            record = d.CHECKS[kind](csv_row.fields, mine, where)
            if record is not None and kind == "buildings":
                record = d.locate_building(record, self._geodesy.to_bng,
                                           self._geodesy.to_wgs84, mine, where)
            if isinstance(org := csv_row.fields.get("organisation"), str) and org.strip():
                orgs_of_line[csv_row.line] = d.name_key(org)
                org_names.setdefault(d.name_key(org), d.clean_name(org))
            seen = faulted.setdefault(csv_row.line, set())
            for f in mine.items:  # one fault per cell: a cell that did not parse says so
                if f.field not in seen:
                    seen.add(f.field)
                    faults.items.append(f)
            if record is not None and not seen:
                rows.append(d.Row(line=csv_row.line, service=service, record=record))
        known = repo.organisations()
        d.check_file(kind, rows, known, faults)
        faults.items.sort(key=lambda f: _line(f.field))  # stable: a row's faults in order
        bad_lines = {_line(f.field) for f in faults.items}
        if faults.items and not skip_invalid:
            raise _invalid_file(faults.items, bad_lines, len(csv_rows))
        bad_orgs = {orgs_of_line[n] for n in bad_lines if n in orgs_of_line}
        keep = [r for r in rows if r.line not in bad_lines
                and d.name_key(r.record.organisation) not in bad_orgs]
        org_ids: dict[str, str] = {}
        records = []
        for row in keep:
            key = d.name_key(row.record.organisation)
            if key not in known:
                known[key] = repo.add_organisation(row.record.organisation, row.service)
            org_ids[key] = known[key].id
            records.append((known[key].id, row.record))
        repo.replace(kind, dataset, list(org_ids.values()), records)
        return EstatesImportResult(
            kind=kind, dataset=dataset, rows=len(csv_rows), imported=len(records),
            organisations=sorted({known[k].name for k in org_ids}),
            skipped=[EstatesRowFault(row=_line(f.field), column=_column(f.field), fault=f.fault)
                     for f in faults.items],
            skipped_organisations=sorted({known[k].name if k in known else org_names[k]
                                          for k in bad_orgs}))

    # -- reading -----------------------------------------------------------------------

    def report(self, dataset: str = MAIN) -> EstatesReport:
        check_dataset_id(dataset)

        def job(repo: EstatesRepository) -> EstatesReport:
            info = self._open(repo, dataset, create=False)
            orgs = repo.organisations()
            lines = d.estate_lines(orgs, repo.building_counts(dataset), repo.buildings(dataset))
            fleet = d.fleet_table(orgs, repo.fleet(dataset))
            workforce = d.workforce_table(orgs, repo.workforce(dataset))
            hint = None
            if not lines and not fleet.organisations and not workforce.organisations:
                hint = (f"dataset '{dataset}' holds no figures yet: import CSV files "
                        "(bluelight estates import buildings|counts|fleet|workforce FILE)")
            return EstatesReport(dataset=dataset, synthetic=info.synthetic, organisations=lines,
                                 total=d.estate_total(lines), services=d.service_shares(lines),
                                 fleet=fleet, workforce=workforce, hint=hint)

        return self._transaction(job)

    def fleet(self, dataset: str = MAIN) -> d.FleetTable:
        return self.report(dataset).fleet

    def workforce(self, dataset: str = MAIN) -> d.WorkforceTable:
        return self.report(dataset).workforce

    def datasets(self) -> list[d.EstatesDataset]:
        def job(repo: EstatesRepository) -> list[d.EstatesDataset]:
            for ds in SHIPPED:
                self._open(repo, ds, create=False)
            return repo.datasets()

        return self._transaction(job)

    def organisations(self) -> list[OrganisationOut]:
        def job(repo: EstatesRepository) -> list[OrganisationOut]:
            self._open(repo, MAIN, create=False)
            orgs = repo.organisations().values()
            return [OrganisationOut(id=o.id, name=o.name, service=o.service,
                                    blue_light=o.service in BLUE_LIGHT)
                    for o in sorted(orgs, key=lambda o: d.service_order(o.service, o.name))]

        return self._transaction(job)

    def places(self) -> list[PlaceOut]:
        out = []
        for p in d.PLACES.values():
            lat, lon = self._geodesy.to_wgs84(p.easting, p.northing)
            out.append(PlaceOut(name=p.name, easting=p.easting, northing=p.northing,
                                lat=round(lat, 6), lon=round(lon, 6), source=p.source))
        return out

    def buildings(self, dataset: str = MAIN, *, organisation: str | None = None,
                  service: str | None = None) -> BuildingCollection:
        check_dataset_id(dataset)

        def job(repo: EstatesRepository) -> BuildingCollection:
            info = self._open(repo, dataset, create=False)
            org_id = None
            if organisation:
                org = repo.organisations().get(d.name_key(organisation))
                if org is None:
                    raise Invalid.field("organisation", f"no organisation '{organisation}'")
                org_id = org.id
            features = [_feature(b) for b in repo.buildings(dataset, organisation_id=org_id)
                        if service is None or b.service == service]
            return BuildingCollection(dataset=dataset, synthetic=info.synthetic,
                                      features=features)

        return self._transaction(job)

    def centre(self, *, place: str | None = None, lat: float | None = None,
               lon: float | None = None, easting: float | None = None,
               northing: float | None = None) -> DistanceCentre:
        """Where to measure from: a place of the gazetteer, lat/lon or easting/northing
        (exactly one of the three)."""
        forms = {"place": place is not None,
                 "lat/lon": lat is not None or lon is not None,
                 "easting/northing": easting is not None or northing is not None}
        given = [name for name, present in forms.items() if present]
        if len(given) != 1:
            raise Invalid.field("place", "give exactly one of place, lat/lon or "
                                         "easting/northing" + (f" (got {', '.join(given)})"
                                                               if given else ""))
        if place is not None:
            p = d.PLACES.get(place.strip().casefold())
            if p is None:
                raise Invalid.field("place", f"'{place}' is not in the gazetteer "
                                             f"({', '.join(x.name for x in d.PLACES.values())})")
            e, n, name = p.easting, p.northing, p.name
        else:
            faults = Faults()
            d.check_coordinates(easting, northing, lat, lon, faults)
            faults.raise_if_any()
            if lat is not None:
                e, n = self._geodesy.to_bng(lat, lon)
            else:
                e, n = easting, northing
            name = None
        clat, clon = (lat, lon) if lat is not None else self._geodesy.to_wgs84(e, n)
        return DistanceCentre(name=name, easting=round(e, 1), northing=round(n, 1),
                      lat=round(clat, 6), lon=round(clon, 6))

    def within(self, centre: DistanceCentre, radius: float, unit: str = "km",
               dataset: str = MAIN) -> WithinResult:
        check_dataset_id(dataset)
        if unit not in d.METRES_PER:
            raise Invalid.field("unit", f"must be one of {', '.join(d.METRES_PER)}")
        if not radius > 0:
            raise Invalid.field("radius", "must be more than 0")
        radius_m = radius * d.METRES_PER[unit]
        box = (centre.easting - radius_m, centre.northing - radius_m,
               centre.easting + radius_m, centre.northing + radius_m)

        def job(repo: EstatesRepository) -> WithinResult:
            info = self._open(repo, dataset, create=False)
            found = d.within(repo.buildings(dataset, box=box),
                             (centre.easting, centre.northing), radius_m)
            by_service: dict[str, int] = {}
            nearby = []
            for dist, b in found:
                by_service[b.service] = by_service.get(b.service, 0) + 1
                nearby.append(Nearby(distance_km=round(dist / 1000, 3),
                                     distance_mi=round(dist / d.METRES_PER["mi"], 3),
                                     building=d.project(b, d.BuildingRef)))
            every = repo.buildings(dataset)
            unlocated = sum(1 for b in every if not b.located)
            return WithinResult(dataset=dataset, synthetic=info.synthetic, centre=centre,
                                radius=radius, unit=unit, count=len(nearby),
                                by_service=by_service, buildings=nearby, unlocated=unlocated,
                                hint=_no_buildings_hint(dataset, len(every) - unlocated))

        return self._transaction(job)

    def opportunities(self, km: float = 2.0, limit: int = 50,
                      dataset: str = MAIN) -> Opportunities:
        check_dataset_id(dataset)
        if not km > 0:
            raise Invalid.field("km", "must be more than 0")
        if not 1 <= limit <= 1000:
            raise Invalid.field("limit", "must be 1 to 1000")

        def job(repo: EstatesRepository) -> Opportunities:
            info = self._open(repo, dataset, create=False)
            stored = repo.buildings(dataset)
            pairs = d.co_location_pairs(stored, km * 1000, limit)
            found = [Opportunity(rank=i, distance_km=round(dist / 1000, 3),
                                 a=d.project(a, d.BuildingRef), b=d.project(b, d.BuildingRef))
                     for i, (dist, a, b) in enumerate(pairs, start=1)]
            located = sum(1 for b in stored if b.located)
            return Opportunities(dataset=dataset, synthetic=info.synthetic, km=km,
                                 count=len(found), opportunities=found,
                                 hint=_no_buildings_hint(dataset, located))

        return self._transaction(job)


# ---------------------------------------------------------------------------------------


def _line(field: str) -> int:
    """'row 12: postcode' -> 12."""
    head = field.split(":", 1)[0]
    return int(head[4:]) if head.startswith("row ") and head[4:].isdigit() else 0


def _column(field: str) -> str:
    return field.split(": ", 1)[1] if ": " in field else field


def _no_buildings_hint(dataset: str, located: int) -> str | None:
    if located:
        return None
    return (f"dataset '{dataset}' has no buildings with coordinates: import a buildings CSV, "
            f"or try the synthetic sample (dataset '{SAMPLE}')")


def _invalid_file(faults: list[FieldFault], bad_lines: set[int], rows: int) -> Invalid:
    shown = "; ".join(f"{f.field}: {f.fault}" for f in faults[:MAX_ROW_FAULTS_IN_DETAIL])
    more = len(faults) - MAX_ROW_FAULTS_IN_DETAIL
    return Invalid(f"{len(bad_lines)} of {rows} rows are invalid; nothing was stored: {shown}"
                   + (f" (and {more} more)" if more > 0 else ""), list(faults))


def _feature(b: d.Building) -> BuildingFeature:
    geometry = GeoJsonPoint(coordinates=(b.lon, b.lat)) if b.lat is not None else None
    return BuildingFeature(geometry=geometry, properties=d.project(b, d.BuildingProperties))
