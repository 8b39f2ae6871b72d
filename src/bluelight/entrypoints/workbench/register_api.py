"""Workbench HTTP API: register."""

from __future__ import annotations

from bluelight.entrypoints.routing import Api

api = Api()
