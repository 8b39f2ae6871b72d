"""What every store does after a batch commits (or fails): publish, then answer.

Both stores (SQLite, PostgreSQL) hand each committed job's new mailbox entries to the
publish step its use case named, in commit order, whether or not the caller is still
waiting (a client that hung up must not leave a stored entry unpushed); then they
resolve the callers' futures. Runs on the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

import structlog

from bluelight.hub.domain.transfer import Entry
from bluelight.hub.services.ports import Publish

log = structlog.get_logger(__name__)


class Settled(Protocol):
    future: asyncio.Future
    publish: Publish | None
    entries: list[Entry]
    result: Any
    error: BaseException | None


def refuse_unpublished(entries: list[Entry], publish: Publish | None) -> None:
    """A job that appended mailbox entries must have named where they go: an entry
    stored with no publish step would be a silent gap in a live stream. Raised inside
    the job's savepoint, so nothing of it is stored."""
    if entries and publish is None:
        raise RuntimeError("the job appended mailbox entries but its use case named no "
                           "publish step for them")


def settle(batch: Sequence[Settled]) -> None:
    """Publish in commit order, then answer. Jobs that name the same publish step share
    one call (one pass over the subscriptions per batch)."""
    run: list[Entry] = []
    step: Publish | None = None
    for job in batch:
        if job.entries and job.publish != step:
            _publish(step, run)
            run, step = [], job.publish
        run.extend(job.entries)
    _publish(step, run)
    for job in batch:
        if job.future.done():
            continue
        if job.error is not None:
            job.future.set_exception(job.error)
        else:
            job.future.set_result(job.result)


def _publish(step: Publish | None, entries: list[Entry]) -> None:
    if step is None or not entries:
        return
    try:
        step(entries)
    except Exception:  # a push failure must not un-answer a stored message
        log.exception("publish failed; entries stay in the mailbox for catch-up")
