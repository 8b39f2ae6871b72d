"""Workbench HTTP API: assessment."""

from __future__ import annotations

from bluelight.entrypoints.routing import Api

api = Api()
