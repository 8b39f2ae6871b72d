"""The workbench as one object: its use cases, wired to the ports they share.

`bluelight.bootstrap` chooses the adapters and calls `Workbench.build`; the entry points
reach the result through `bluelight.workbench.entrypoints` (the server keeps it on its
`Runtime`, the command line opens one per command), never by building their own."""

from __future__ import annotations

from dataclasses import dataclass

from bluelight.workbench.services.assessment import SelfAssessments
from bluelight.workbench.services.board import Board
from bluelight.workbench.services.estates import Estates
from bluelight.workbench.services.performance import Performance
from bluelight.workbench.services.ports import (
    AssessmentFiles,
    EstatesCsv,
    Geodesy,
    HubFigures,
    RadarChart,
    SeedDocuments,
    UnitOfWork,
)
from bluelight.workbench.services.register import Register


@dataclass(frozen=True)
class Formats:
    """The file formats the workbench reads and writes. They need neither settings nor
    the database, so a command can check its input before it opens the workbench."""

    estates_csv: EstatesCsv
    assessment_files: AssessmentFiles
    seeds: SeedDocuments
    radar: RadarChart


@dataclass(frozen=True)
class Workbench:
    register: Register
    board: Board
    performance: Performance
    estates: Estates
    assessments: SelfAssessments
    formats: Formats

    @classmethod
    def build(cls, uow: UnitOfWork, geodesy: Geodesy, hub: HubFigures | None,
              formats: Formats) -> Workbench:
        """Every part on the same unit of work. `hub` None: no live figures (a command
        line with no hub database beside it)."""
        register = Register(uow, hub)
        return cls(register=register, board=Board(register),
                   performance=Performance(register),
                   estates=Estates(uow, geodesy, formats.estates_csv.shipped_fixture,
                                   formats.estates_csv.read_rows),
                   assessments=SelfAssessments(uow), formats=formats)
