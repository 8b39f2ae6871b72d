"""The ports: what the use cases need from the outside world. Adapters implement them;
tests may pass fakes. Nothing here knows about SQLite, HTTP or WebSockets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Protocol, TypeVar

import msgspec

from bluelight.hub.domain.agency import Agency
from bluelight.hub.domain.audit import AuditRecord
from bluelight.hub.domain.incident import Incident, UpdateRecord
from bluelight.hub.domain.operator import Operator, Session
from bluelight.hub.domain.sharing import Agreement
from bluelight.hub.domain.signature import SignatureRecord, SigningKey
from bluelight.hub.domain.transfer import Entry, EntryKind, IncidentStatus, TimelineEvent, Transfer
from bluelight.hub.domain.translation import Native, Translation

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

    # each incident's update history: one record per update, versions 1, 2, 3...
    def add_update(self, incident_id: str, record: UpdateRecord) -> None: ...
    def update_count(self, incident_id: str) -> int: ...
    def updates(self, incident_id: str, after: int, limit: int) -> list[UpdateRecord]:
        """Versions after `after`, oldest first."""
        ...
    def latest_updates(self, incident_id: str, limit: int) -> list[UpdateRecord]:
        """The last `limit` versions, oldest first."""
        ...
    def purge_updates(self, incident_id: str) -> int: ...

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
    def unacked(self, agency: str, after: int, upto: int, limit: int) -> list[Entry]:
        """Entries never acknowledged with after < seq <= upto, in seq order: the rest
        of a backlog's old part, when it does not fit in one page."""
        ...

    def last_seq(self, agency: str) -> int: ...

    def add_raw_message(self, raw: RawMessage, incident_id: str | None, at: float) -> None: ...
    def subscribers(self, source: str) -> list[str]: ...
    def subscribe(self, subscriber: str, source: str) -> None: ...

    def take_lease(self, name: str, holder: str, now: float, ttl_s: float) -> bool:
        """Take or renew a cluster-wide lease; False while another holder has it."""
        ...

    def add_event(
        self, incident_id: str, transfer_id: str | None, at: float, actor: str, kind: str,
        detail: dict | None = None,
    ) -> None: ...
    def timeline(self, incident_id: str, transfer_id: str, after: int = 0,
                 limit: int = -1) -> list[tuple[int, TimelineEvent]]:
        """(id, event) of the logged events after id `after`, in the order logged; at
        most `limit` of them (-1: all)."""
        ...

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

    # message signatures
    def signing_key(self, key_id: str) -> SigningKey | None: ...
    def signing_keys_of(self, agency_id: str) -> list[SigningKey]: ...
    def has_active_signing_key(self, agency_id: str) -> bool: ...
    def add_signing_key(self, key: SigningKey) -> None: ...
    def revoke_signing_key(self, key_id: str, at: float) -> bool: ...
    def add_signature(self, record: SignatureRecord) -> None: ...
    def signatures_of(self, incident_id: str, transfer_id: str | None = None
                      ) -> list[SignatureRecord]: ...

    # data-sharing agreements
    def agreements_in_force(self) -> list[Agreement]: ...
    def agreement_versions(self, agreement_id: str | None = None) -> list[Agreement]: ...
    def agreement(self, agreement_id: str, version: int) -> Agreement | None: ...
    def add_agreement(self, agreement: Agreement) -> None: ...
    def withdraw_agreement(self, agreement_id: str, at: float) -> int: ...

    # retention
    def retention_candidates(self, created_before: float) -> list[tuple[str, float]]: ...
    def mark_purged(self, incident_id: str, at: float) -> None: ...
    def rewrite_mailbox(self, incident_id: str,
                        rewrite: Callable[[str, bytes], bytes | None]) -> int: ...
    def rewrite_events(self, incident_id: str,
                       rewrite: Callable[[str, bytes], bytes | None]) -> int: ...
    def clear_originals(self, incident_id: str) -> int: ...

    # audit log
    def audit_head(self) -> tuple[int, str] | None: ...
    def add_audit(self, record: AuditRecord) -> None: ...
    def audit_records(self, *, incident_id: str | None = None, agency: str | None = None,
                      after: int = 0) -> Iterator[AuditRecord]: ...


Publish = Callable[[Sequence[Entry]], None]


class Store(Protocol):
    """Runs jobs against the repository, each in one transaction that either stores
    everything or nothing (a failed job raises, and `StorageUnavailable` from
    `bluelight.kernel.errors` when the store itself could not do it).

    `write` returns only after the transaction is durably committed. A job that appends
    mailbox entries names where they go next with `publish` (the delivery port): the
    store calls it with the job's entries once they are durable, in commit order, and
    whether or not the caller is still waiting for its answer, so a client that hangs up
    never leaves a stored entry unpushed. Nothing is published for a job that failed. A
    job that appends entries without a `publish` is refused: a push that nobody asked
    for would be a silent gap in a live stream."""

    def write(self, job: Callable[[Repository], R], *, urgent: bool = True,
              publish: Publish | None = None) -> Awaitable[R]:
        """Queues the job at once, so jobs run in the order `write` was called (a
        sender's messages are stored in the order they arrived), and returns what to
        await for its result. `urgent=False` lets the store hold the job briefly
        (milliseconds) so that it shares a commit with others: for bookkeeping whose
        delay nobody waits on."""
        ...
    async def read(self, job: Callable[[Repository], R]) -> R: ...
    def health(self) -> str | None:
        """Why nothing can be stored now (a read-only disk), or None."""
        ...


class Subscription(Protocol):
    """One connected session's feed of committed entries for its agency."""

    agency: str
    overflowed: bool  # it fell too far behind: drop the connection and catch up

    async def next_batch(self, most: int | None = None) -> list[Entry]:
        """The oldest `most` entries waiting (or all), once there are any."""
        ...


class Delivery(Protocol):
    """Pushes committed mailbox entries to the agencies' connected systems. The mailbox
    in the store stays the record: a push lost here is caught up from it when the
    client reconnects, so delivery may be best-effort but never reorders an agency's
    entries.

    `cross_node`: entries committed elsewhere (another hub node) come through this too,
    and may come late, out of order or not at all (their node died before publishing).
    A session then fills gaps from the store, and reads it when nothing live has come
    for a while. False where every entry is published by this process, in commit order:
    then the live feed alone is complete, and sessions do no extra reads."""

    cross_node: bool

    def publish(self, entries: Sequence[Entry]) -> None: ...
    def subscribe(self, agency: str) -> Subscription: ...
    def unsubscribe(self, sub: Subscription) -> None: ...
    def connected(self, agency: str) -> int: ...


class NoDelivery:
    """For a hub nobody is connected to live (tools, tests of storage alone): entries
    stay in the mailbox, where polls and reconnecting streams read them."""

    cross_node = False

    def publish(self, entries: Sequence[Entry]) -> None:
        pass

    def subscribe(self, agency: str) -> Subscription:
        raise RuntimeError("this hub pushes to no live sessions")

    def unsubscribe(self, sub: Subscription) -> None:
        pass

    def connected(self, agency: str) -> int:
        return 0


class Clock(Protocol):
    """Wall-clock time, epoch seconds (`time.time` in production; tests step it)."""

    def __call__(self) -> float: ...


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


class Jose(Protocol):
    """JWS with a detached payload (the JOSE adapter). Each method raises ValueError,
    saying what is wrong, for a malformed or non-matching signature or key."""

    def header(self, signature: str) -> dict: ...
    def verify(self, signature: str, payload: bytes, public_key: str, algorithm: str
               ) -> dict: ...
    def jwk(self, public_key: str) -> dict: ...


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
