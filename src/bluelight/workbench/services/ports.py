"""The workbench's ports: what its use cases need from the world, declared here and
implemented by adapters that only `bluelight.bootstrap` chooses.

- `UnitOfWork`: one transaction over the workbench database, in which a job sees the
  register, estates and assessment repositories (`Repositories`).
- `Geodesy`: British National Grid <-> WGS84, for the estates' distances and map.
- `HubFigures`: the only way the workbench reads the hub. The hub's `Hub` fits it as it
  is (same `stats` signature), so the workbench never imports the hub.
- `EstatesCsv`, `AssessmentFiles`, `SeedDocuments`, `RadarChart`: the file formats the
  workbench reads and writes, so its entry points need no adapter of their own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bluelight.kernel.errors import Faults
from bluelight.wire.service import Service
from bluelight.wire.stats import Stats
from bluelight.workbench.domain import estates as d
from bluelight.workbench.domain.assessment import (
    Assessment,
    AssessmentStatus,
    NewAssessment,
    Respondent,
)
from bluelight.workbench.domain.collaboration import (
    Actual,
    Benefit,
    Collaboration,
    Partner,
    Person,
    StatusChange,
    Workstream,
)

if TYPE_CHECKING:
    from bluelight.workbench.services.assessment import Radar

R = TypeVar("R")

# ---- storage -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """A search of the register: every filter given must match (None: any)."""

    text: str | None = None
    area: str | None = None
    category: str | None = None
    status: str | None = None
    service: str | None = None
    workstream: str | None = None


class RegisterRepository(Protocol):
    def insert_collaboration(self, c: Collaboration) -> None: ...
    def update_collaboration(self, cid: str, fields: dict[str, Any], updated_at: float,
                             partners: list[Partner] | None = None,
                             people: list[Person] | None = None) -> None: ...
    def add_status_change(self, cid: str, change: StatusChange) -> None: ...
    def insert_benefit(self, b: Benefit, created_at: float) -> None: ...
    def add_actual(self, benefit_id: str, a: Actual) -> None: ...
    def upsert_workstream(self, w: Workstream) -> bool: ...
    def exists(self, cid: str) -> bool: ...
    def existing_ids(self) -> set[str]: ...
    def benefit_owner(self, benefit_id: str) -> str | None: ...
    def benefit_ids(self, cid: str) -> list[str]: ...
    def workstream(self, wid: str) -> Workstream | None: ...
    def workstreams(self) -> list[Workstream]: ...
    def get(self, cid: str) -> Collaboration | None: ...
    def search(self, f: Filters, ids: list[str] | None = None) -> list[Collaboration]: ...
    def counts(self) -> dict[str, int]: ...


class EstatesRepository(Protocol):
    def dataset(self, dataset_id: str) -> d.EstatesDataset | None: ...
    def add_dataset(self, dataset_id: str, title: str, synthetic: bool) -> None: ...
    def datasets(self) -> list[d.EstatesDataset]: ...
    def organisations(self) -> dict[str, d.Organisation]: ...
    def add_organisation(self, name: str, service: Service) -> d.Organisation: ...
    def replace(self, kind: str, dataset_id: str, organisation_ids: list[str],
                records: list[tuple[str, Any]]) -> None: ...
    def building_counts(self, dataset_id: str) -> list[d.BuildingCount]: ...
    def buildings(self, dataset_id: str, *, organisation_id: str | None = None,
                  box: tuple[float, float, float, float] | None = None
                  ) -> list[d.Building]: ...
    def fleet(self, dataset_id: str) -> list[d.FleetLine]: ...
    def workforce(self, dataset_id: str) -> list[d.WorkforceLine]: ...


class AssessmentRepository(Protocol):
    def get(self, assessment_id: str) -> Assessment | None: ...
    def find(self, partnership: str, year: int, respondent: Respondent) -> Assessment | None: ...
    def matching(self, partnership: str | None = None, years: list[int] | None = None,
                 status: AssessmentStatus | None = None) -> list[Assessment]: ...
    def add(self, assessment: Assessment) -> None: ...
    def save(self, assessment: Assessment) -> None: ...
    def delete(self, assessment_id: str) -> None: ...


class Repositories(Protocol):
    """What a job sees inside one transaction: every part's repository, on the same
    connection, so a job may read and write across parts all or nothing."""

    @property
    def register(self) -> RegisterRepository: ...
    @property
    def estates(self) -> EstatesRepository: ...
    @property
    def assessments(self) -> AssessmentRepository: ...


class UnitOfWork(Protocol):
    """Runs `job` in one transaction: committed if it returns, rolled back if it raises
    (and the exception goes on). Each use case is one `run`, so it is all or nothing."""

    def run(self, job: Callable[[Repositories], R]) -> R: ...


# ---- other systems ---------------------------------------------------------------------


class Geodesy(Protocol):
    """British National Grid (EPSG:27700) <-> WGS84 (EPSG:4326)."""

    def to_wgs84(self, easting: float, northing: float) -> tuple[float, float]: ...
    def to_bng(self, lat: float, lon: float) -> tuple[float, float]: ...


class HubFigures(Protocol):
    """The hub's measured transfer figures, for the register's live benefits. `agency`
    None is the hub operator's view: counts only, nothing about any one incident."""

    async def stats(self, agency: str | None, since: float | None = None) -> Stats: ...


# ---- file formats ------------------------------------------------------------------------


class EstatesCsv(Protocol):
    """CSV returns of buildings, building counts, fleet and workforce."""

    def decode_text(self, data: bytes) -> str: ...
    def count_lines(self, text: str) -> int: ...
    def read_rows(self, kind: str, text: str, faults: Faults,
                  progress: Callable[[int], None] | None = None) -> list[Any]: ...
    def shipped_fixture(self, dataset: str) -> list[tuple[str, str]]: ...


class AssessmentFiles(Protocol):
    """Answers to the self-assessment from a .csv or .json file (Invalid if unreadable)."""

    def read(self, path: Path) -> list[NewAssessment]: ...


class SeedsUnreadable(Exception):
    """The seed documents could not be read or understood; the message says why."""


class SeedSet(Protocol):
    """The register entries read from the seed documents, with their provenance."""

    @property
    def collaborations(self) -> list[Collaboration]: ...
    @property
    def workstreams(self) -> list[Workstream]: ...
    @property
    def documents(self) -> list[str]: ...


class SeedDocuments(Protocol):
    """The public reports the register is seeded from."""

    @property
    def env(self) -> str: ...  # the environment variable that names their folder
    def find_directory(self, explicit: Path | None = None) -> Path | None: ...
    def load(self, directory: Path, now: float) -> SeedSet: ...  # raises SeedsUnreadable


class RadarChart(Protocol):
    def render(self, radar: Radar) -> str: ...  # an accessible SVG document
