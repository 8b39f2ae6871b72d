"""The retention purge: personal data in transfers is removed once the agreement it was
shared under says it may no longer be kept.

What goes is every class of data beyond the operational minimum, from every copy the
hub holds: the incident as it stands, the text of every update in its history, each
recipient's mailbox entries, the timeline, the messages kept as received and the signed
payloads. What stays is what the hub's
figures and the audit trail need: where, what kind, when, who sent it to whom and what
happened to it. Each purge leaves a tombstone in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from bluelight.hub.domain.sharing import redact, redact_event, redact_update
from bluelight.hub.domain.stored import stored
from bluelight.hub.domain.transfer import (
    ClosureBody,
    EntryKind,
    OfferBody,
    TimelineEvent,
    UpdateBody,
)
from bluelight.hub.services import audit
from bluelight.hub.services.ports import Repository

DAY = 86_400.0
NOTHING: frozenset = frozenset()
_encode = msgspec.json.Encoder().encode
# Stored bodies, read without the input limits: the purge must never stop at an entry
# that a later limit would refuse (domain.stored).
_offer = msgspec.json.Decoder(stored(OfferBody)).decode
_update = msgspec.json.Decoder(stored(UpdateBody)).decode
_closure = msgspec.json.Decoder(stored(ClosureBody)).decode
_detail = msgspec.json.Decoder(dict).decode


class Purged(msgspec.Struct, kw_only=True):
    incident_id: str
    retention_days: int
    entries: int
    events: int
    originals: int
    updates: int = 0  # update texts removed from the history


def retention_days(repo: Repository, incident_id: str, default_days: int) -> int:
    """The longest retention among the agreements its transfers were sent under: the
    data may be kept while any of them allows. With none, the hub's default."""
    days = []
    for transfer in repo.transfers_of(incident_id):
        if transfer.agreement is not None:
            agreement = repo.agreement(transfer.agreement.id, transfer.agreement.version)
            if agreement is not None:
                days.append(agreement.retention_days)
    return max(days) if days else default_days


def _mailbox(kind: str, body: bytes) -> bytes | None:
    match EntryKind(kind):
        case EntryKind.INCIDENT_NEW:
            offer = _offer(body)
            incident, withheld = redact(offer.incident, NOTHING)
            return _encode(msgspec.structs.replace(
                offer, incident=incident, withheld=sorted({*offer.withheld, *withheld})))
        case EntryKind.INCIDENT_UPDATE:
            body_ = _update(body)
            update, w1 = redact_update(body_.update, NOTHING)
            incident, w2 = redact(body_.incident, NOTHING)
            return _encode(msgspec.structs.replace(
                body_, update=update, incident=incident,
                withheld=sorted({*body_.withheld, *w1, *w2})))
        case EntryKind.INCIDENT_CLOSED:
            closure = _closure(body)
            if closure.text is None:
                return None
            return _encode(msgspec.structs.replace(
                closure, text=None, withheld=sorted({*closure.withheld, "closure.text"})))
    return None


def _event(kind: str, detail: bytes) -> bytes | None:
    event = TimelineEvent(at=0.0, kind=kind, actor="", detail=_detail(detail))
    redacted = redact_event(event, NOTHING)
    return None if redacted is event else _encode(redacted.detail)


def purge(repo: Repository, incident_id: str, days: int, at: float, by: str) -> Purged:
    record = repo.incident(incident_id)
    record.incident, withheld = redact(record.incident, NOTHING)
    repo.save_incident(record)
    repo.mark_purged(incident_id, at)
    outcome = Purged(incident_id=incident_id, retention_days=days,
                     entries=repo.rewrite_mailbox(incident_id, _mailbox),
                     events=repo.rewrite_events(incident_id, _event),
                     originals=repo.clear_originals(incident_id),
                     updates=repo.purge_updates(incident_id))
    audit.record(repo, at, by, "retention.purged", agency=record.sender,
                 incident_id=incident_id,
                 detail={"retention_days": days, "fields": withheld,
                         "entries": outcome.entries, "events": outcome.events,
                         "originals": outcome.originals, "updates": outcome.updates})
    return outcome


def run(now: float, default_days: int, by: str = "hub",
        limit: int = 500) -> Callable[[Repository], tuple[list[Purged], bool]]:
    """One batch of the purge: the incidents whose retention has ended. Returns them and
    whether more may remain (run again until not)."""

    def job(repo: Repository) -> tuple[list[Purged], bool]:
        # Retention is at least a day, so nothing newer can be due.
        due = []
        for incident_id, created_at in repo.retention_candidates(now - DAY):
            days = retention_days(repo, incident_id, default_days)
            if created_at + days * DAY <= now:
                due.append((incident_id, days))
        done = [purge(repo, incident_id, days, now, by) for incident_id, days in due[:limit]]
        return done, len(due) > limit

    return job
