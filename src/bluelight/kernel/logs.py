"""Structured logging (structlog), one line of key=value per event."""

from __future__ import annotations

import logging

import structlog


def setup_logging(level: str = "info") -> None:
    logging.basicConfig(format="%(message)s", level=level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)  # migrations are routine
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
    )
