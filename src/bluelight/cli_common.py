"""The shared command-line helpers, under the name the workbench's command groups import
them by. They live in `bluelight.kernel.cli`; the hub's groups import them from there."""

from __future__ import annotations

from bluelight.kernel.cli import ConfigOpt, cli_actor, console, err, refuse, settings

__all__ = ["ConfigOpt", "cli_actor", "console", "err", "refuse", "settings"]
