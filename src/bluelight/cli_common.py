"""The shared command-line helpers, under their former name. They live in
`bluelight.kernel.cli`, and nothing imports them from here any more; the name stays
while `.importlinter` lists it among what the SDK must not import."""

from __future__ import annotations

from bluelight.kernel.cli import ConfigOpt, cli_actor, console, err, refuse, settings

__all__ = ["ConfigOpt", "cli_actor", "console", "err", "refuse", "settings"]
