"""The ports: what the use cases need from the outside world. Adapters implement them;
tests may pass fakes. Nothing here knows about SQLite, HTTP or WebSockets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import msgspec

from bluelight.domain.agency import Agency
from bluelight.domain.incident import Incident
from bluelight.domain.operator import Operator, Session
from bluelight.domain.transfer import Entry, EntryKind, IncidentStatus, TimelineEvent, Transfer
from bluelight.domain.translation import Native, Translation

R = TypeVar("R")


class IncidentRecord(msgspec.Struct, kw_only=True):
    incident_id: str
    sender: str
    reference: str
    status: IncidentStatus
    incident: Incident  # as it stands now, after updates
    created_at: float


class RawMessage(msgspec.Struct, kw_only=True):
    """A message as a partner's system sent it, before translation."""

    agency: str
    format: str
    media_type: str
    body: bytes
    message_id: str | None = None  # the message's own id in its standard
    losses: list[str] = []


class StoredMessage(msgspec.Struct, kw_only=True):
    """A sender's message as first received: the idempotency record."""

    body_hash: str
    receipt: bytes


class Repository(Protocol):
    """Reads and writes inside one transaction. Methods are synchronous: the store runs
    them on its own writer (or reader) thread."""

    def agency(self, agency_id: str) -> Agency | None: ...
    def agencies(self) -> list[Agency]: ...
    def add_agency(self, agency: Agency, at: float) -> None: ...
    def set_agency(self, agency: Agency) -> None: ...

    def message(self, sender: str, message_id: str) -> StoredMessage | None: ...
    def add_message(
        self, sender: str, message_id: str, body_hash: str, incident_id: str, kind: str,
        receipt: bytes, at: float,
    ) -> None: ...

    def incident(self, incident_id: str) -> IncidentRecord | None: ...
    def incident_by_reference(self, sender: str, reference: str) -> IncidentRecord | None: ...
    def add_incident(self, record: IncidentRecord) -> None: ...
    def save_incident(self, record: IncidentRecord) -> None: ...

    def transfer(self, transfer_id: str) -> Transfer | None: ...
    def transfers_of(self, incident_id: str) -> list[Transfer]: ...
    def transfers_for(
        self, agency: str, role: str | None, state: str | None, limit: int
    ) -> list[Transfer]: ...
    def add_transfer(self, transfer: Transfer) -> None: ...
    def save_transfer(self, transfer: Transfer) -> None: ...
    def overdue_candidates(self, now: float, limit: int) -> list[Transfer]: ...
    def transfers_since(self, since: float | None) -> list[Transfer]: ...

    def append(
        self, agency: str, kind: EntryKind, incident_id: str, transfer_id: str | None,
        body: bytes, at: float,
    ) -> Entry: ...
    def acknowledge(self, agency: str, seqs: Sequence[int], at: float) -> list[Entry]: ...
    def backlog(self, agency: str, after: int, limit: int) -> list[Entry]:
        """What a (re)connecting client must see, in seq order: every entry after
        `after`, and before them any earlier entry never acknowledged (its ack may have
        been lost)."""
        ...

    def entries(self, agency: str, after: int, limit: int) -> list[Entry]: ...
    def last_seq(self, agency: str) -> int: ...

    def add_raw_message(self, raw: RawMessage, incident_id: str | None, at: float) -> None: ...
    def subscribers(self, source: str) -> list[str]: ...
    def subscribe(self, subscriber: str, source: str) -> None: ...

    def add_event(
        self, incident_id: str, transfer_id: str | None, at: float, actor: str, kind: str,
        detail: dict | None = None,
    ) -> None: ...
    def timeline(self, incident_id: str, transfer_id: str) -> list[TimelineEvent]: ...

    def credential(self, key_id: str) -> tuple[str, str, float | None] | None: ...

    def operator(self, username: str) -> tuple[Operator, str, float | None] | None:
        """The operator, their password hash, and when they were disabled (if ever)."""
        ...
    def operators(self) -> list[Operator]: ...
    def add_operator(self, operator: Operator, password_hash: str, at: float) -> None: ...
    def set_password(self, username: str, password_hash: str) -> None: ...
    def session(self, token_hash: str) -> Session | None: ...
    def save_session(self, session: Session) -> None: ...
    def end_session(self, token_hash: str) -> None: ...
    def purge_sessions(self, now: float) -> int: ...
    def add_credential(self, key_id: str, agency_id: str, secret_hash: str, at: float) -> None: ...
    def credentials_of(self, agency_id: str) -> list[tuple[str, float, float | None]]:
        """(key id, created at, revoked at) of each of the agency's credentials."""
        ...
    def revoke_credential(self, key_id: str, at: float) -> bool: ...
    def revoked_since(self, since: float) -> list[str]: ...


class Store(Protocol):
    """Runs jobs against the repository. `write` returns only after the transaction is
    durably committed, then hands every entry the job appended to the delivery port in
    commit order. A failed job leaves nothing behind."""

    async def write(self, job: Callable[[Repository], R], *, urgent: bool = True) -> R:
        """`urgent=False` lets the store hold the job briefly (milliseconds) so that it
        shares a commit with others: for bookkeeping whose delay nobody waits on."""
        ...
    async def read(self, job: Callable[[Repository], R]) -> R: ...


class Delivery(Protocol):
    """Pushes committed mailbox entries to the agencies' connected systems."""

    def publish(self, entries: Sequence[Entry]) -> None: ...


class GridPoint(msgspec.Struct, frozen=True):
    easting: float
    northing: float
    lat: float
    lon: float


class Gazetteer(Protocol):
    """UPRN -> coordinates."""

    def lookup(self, uprn: int) -> GridPoint | None: ...


class Geodesy(Protocol):
    """British National Grid (EPSG:27700) <-> WGS84 (EPSG:4326)."""

    def to_wgs84(self, easting: float, northing: float) -> tuple[float, float]: ...
    def to_bng(self, lat: float, lon: float) -> tuple[float, float]: ...


class Translator(Protocol):
    """Other standards <-> native messages (the codecs)."""

    def decode(self, format_: str | None, data: bytes) -> Translation: ...
    def encode(self, format_: str, native: Native) -> Translation: ...


class HubMetrics(Protocol):
    """Observes transfers as they move; the Prometheus adapter implements it."""

    def stored(self, sender: str, recipients: list[str], seconds: float) -> None: ...
    def moved(self, transfer: Transfer) -> None: ...
    def overdue(self, transfer: Transfer, stage: str) -> None: ...


class NoMetrics:
    def stored(self, sender: str, recipients: list[str], seconds: float) -> None:
        pass

    def moved(self, transfer: Transfer) -> None:
        pass

    def overdue(self, transfer: Transfer, stage: str) -> None:
        pass
