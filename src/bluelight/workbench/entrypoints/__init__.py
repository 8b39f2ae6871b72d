"""The collaboration workbench's HTTP API, one module per part. Each module declares an
`api` (the same declarative `Api` as the hub's own endpoints), so validation, problem
details and the OpenAPI document work the same way. Handlers reach the workbench's
database through `workbench_path(call)`."""

from __future__ import annotations

from pathlib import Path

from bluelight.kernel.routing import Api, Call


def workbench_path(call: Call) -> Path:
    return call.request.app.state.runtime.settings.workbench


def apis() -> list[Api]:
    from bluelight.workbench.entrypoints import assessment_api, estates_api, register_api

    return [register_api.api, estates_api.api, assessment_api.api]
