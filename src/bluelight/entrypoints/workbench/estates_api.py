"""Workbench HTTP API: estates."""

from __future__ import annotations

from bluelight.entrypoints.routing import Api

api = Api()
