"""The hub's use cases behind one facade: what every entry point (HTTP, WebSocket, CLI,
simulator) calls. It resolves locations, hands jobs to the store and records metrics."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import msgspec

from bluelight.domain.agency import Agency
from bluelight.domain.commands import (
    Decide,
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)
from bluelight.domain.errors import DomainError, NotFound
from bluelight.domain.geography import operates_in_gb
from bluelight.domain.operator import Session
from bluelight.domain.transfer import Entry, Transfer, timeline
from bluelight.domain.translation import Native
from bluelight.services import (
    credentials,
    escalate,
    gateway,
    operators,
    receive,
    render,
    report,
    submit,
)
from bluelight.services.locate import locate
from bluelight.services.policy import Policy
from bluelight.services.ports import (
    Gazetteer,
    Geodesy,
    HubMetrics,
    NoMetrics,
    RawMessage,
    Repository,
    Store,
    Translator,
)
from bluelight.services.views import Inbox, Receipt, Stats, Timeline, TransferView


class Hub:
    def __init__(
        self,
        store: Store,
        gazetteer: Gazetteer,
        geodesy: Geodesy,
        policy: Policy | None = None,
        metrics: HubMetrics | None = None,
        clock: Callable[[], float] = time.time,
        translator: Translator | None = None,
    ) -> None:
        self.store = store
        self.gazetteer = gazetteer
        self.geodesy = geodesy
        self.policy = policy or Policy()
        self.metrics = metrics or NoMetrics()
        self.clock = clock
        self.translator = translator

    # identity ---------------------------------------------------------------------------
    async def authenticate(self, token: str) -> str | None:
        """Checked against the database every time, so a revoked token fails on its next
        request. (Streams authenticate once; see `revoked_since` for closing them.)"""
        return await self.store.read(lambda repo: credentials.verify(repo, token))

    async def revoked_since(self, since: float) -> list[str]:
        """Key ids of credentials revoked at or after `since`."""
        return await self.store.read(lambda repo: repo.revoked_since(since))

    # console sessions ---------------------------------------------------------------------
    async def sign_in(self, username: str, password: str) -> tuple[str, Session] | None:
        """A new session for a right username and password, else None (which of the two
        was wrong is not said)."""
        operator = await self.store.read(
            lambda repo: operators.check_password(repo, username, password))
        if operator is None:
            return None
        token, session = operators.open_session(operator, self.clock(),
                                                self.policy.session_max_s)
        await self.store.write(lambda repo: repo.save_session(session))
        return token, session

    async def session(self, token: str) -> Session | None:
        now = self.clock()
        session = await self.store.read(lambda repo: repo.session(operators.token_hash(token)))
        if session is None or session.expired(now, self.policy.session_idle_s):
            return None
        if now - session.last_seen_at > 30:  # record use now and then, not on every call
            session.last_seen_at = now
            await self.store.write(lambda repo: repo.save_session(session), urgent=False)
        return session

    async def sign_out(self, token: str) -> None:
        await self.store.write(lambda repo: repo.end_session(operators.token_hash(token)))

    async def agencies(self) -> list[Agency]:
        return await self.store.read(lambda repo: repo.agencies())

    # sending ----------------------------------------------------------------------------
    async def submit_incident(
        self, sender: str, command: SubmitIncident, *, raw: RawMessage | None = None,
    ) -> tuple[Receipt, bool]:
        submitted_at = self.clock()
        location, flags = locate(
            command.incident.location, self.gazetteer, self.geodesy,
            reject_unknown_uprn=self.policy.reject_unknown_uprn, gb=operates_in_gb(sender),
        )
        incident = msgspec.structs.replace(command.incident, location=location)
        decode_losses = list(raw.losses) if raw else []

        def losses(recipient: Agency) -> list[str]:
            """What the recipient's standard cannot carry, plus what the sender's lost."""
            lost = set(decode_losses)
            if self.translator is not None and recipient.format.value != "bluelight":
                native = Native(kind="incident", sender=sender, recipients=[recipient.id],
                                reference=incident.reference, incident=incident)
                try:
                    lost.update(self.translator.encode(recipient.format.value, native).losses)
                except DomainError as exc:
                    lost.add(f"(message): {exc.detail}")
            return sorted(lost)

        receipt, created = await self.store.write(
            submit.submit_incident(sender, command, incident, flags, submitted_at, self.clock,
                                   self.policy, raw, losses)
        )
        if created:
            self.metrics.stored(sender, [t.recipient for t in receipt.transfers],
                                receipt.stored_at - submitted_at)
        return receipt, created

    async def submit_update(
        self, sender: str, reference: str, command: SubmitUpdate, *,
        raw: RawMessage | None = None,
    ) -> tuple[Receipt, bool]:
        flags = []
        if command.update.location is not None:
            location, flags = locate(
                command.update.location, self.gazetteer, self.geodesy,
                reject_unknown_uprn=self.policy.reject_unknown_uprn,
                path="update.location", gb=operates_in_gb(sender),
            )
            command = msgspec.structs.replace(
                command, update=msgspec.structs.replace(command.update, location=location)
            )
        return await self.store.write(
            submit.submit_update(sender, reference, command, flags, self.clock, raw)
        )

    async def submit_closure(
        self, sender: str, reference: str, command: SubmitClosure, *,
        raw: RawMessage | None = None,
    ) -> tuple[Receipt, bool]:
        return await self.store.write(submit.submit_closure(sender, reference, command,
                                                            self.clock, raw))

    async def submit_cancellation(
        self, sender: str, reference: str, command: SubmitCancellation, *,
        raw: RawMessage | None = None,
    ) -> tuple[Receipt, bool]:
        return await self.store.write(
            submit.submit_cancellation(sender, reference, command, self.clock, raw))

    # other standards ----------------------------------------------------------------------
    async def receive_message(self, agency: str, format_: str | None, data: bytes,
                              media_type: str) -> tuple[object, bool]:
        """A message in another standard (the agency's configured one unless `format_`
        says otherwise): translated, then handled as its native equivalent."""
        if self.translator is None:
            raise NotFound("this hub translates no other standards")
        configured = await self.format_of(agency)
        chosen = format_ or (None if configured == "bluelight" else configured)
        translation = self.translator.decode(chosen, data)
        native = translation.native
        gateway.check_sender(native, agency)
        raw = RawMessage(agency=agency, format=chosen or "detected", media_type=media_type,
                         body=data, message_id=native.message_id, losses=translation.losses)
        if native.kind == "acknowledgement":
            count = await self.acknowledge(agency, [gateway.acknowledged_seq(native, agency)])
            return {"acknowledged": count}, False
        if native.kind != "incident":
            reference, command = gateway.follow_up(native, agency)
            handler = {"update": self.submit_update, "closure": self.submit_closure,
                       "cancellation": self.submit_cancellation}[native.kind]
            return await handler(agency, reference, command, raw=raw)
        if not native.recipients:
            # A public alert names no addressees: it goes to those who subscribed.
            subscribers = await self.store.read(lambda repo: repo.subscribers(agency))
            native = msgspec.structs.replace(native, recipients=subscribers)
        command = gateway.submission(native, agency)
        return await self.submit_incident(agency, command, raw=raw)

    # receiving --------------------------------------------------------------------------
    async def acknowledge(self, agency: str, seqs: Sequence[int]) -> int:
        # Not urgent: a lost or late ack only means a replay, which clients drop.
        count, delivered = await self.store.write(
            receive.acknowledge(agency, seqs, self.clock, self.policy), urgent=False
        )
        for transfer in delivered:
            self.metrics.moved(transfer)
        return count

    async def decide(self, agency: str, transfer_id: str, command: Decide) -> TransferView:
        transfer = await self.store.write(
            receive.decide(agency, transfer_id, command, self.clock)
        )
        self.metrics.moved(transfer)
        return await self.transfer(agency, transfer_id)

    async def escalate(self) -> list[Transfer]:
        raised = await self.store.write(escalate.escalate(self.clock), urgent=False)
        for transfer, stage in raised:
            self.metrics.overdue(transfer, stage.value)
        return [t for t, _ in raised]

    # reading ----------------------------------------------------------------------------
    async def transfer(self, agency: str, transfer_id: str) -> TransferView:
        def job(repo: Repository) -> TransferView:
            transfer = _visible(repo, agency, transfer_id)
            record = repo.incident(transfer.incident_id)
            return TransferView(**msgspec.structs.asdict(transfer), incident=record.incident)

        return await self.store.read(job)

    async def timeline(self, agency: str, transfer_id: str) -> Timeline:
        def job(repo: Repository) -> Timeline:
            transfer = _visible(repo, agency, transfer_id)
            logged = repo.timeline(transfer.incident_id, transfer_id)
            return Timeline(transfer_id=transfer_id, events=timeline(transfer, logged))

        return await self.store.read(job)

    async def transfers(
        self, agency: str, role: str | None = None, state: str | None = None, limit: int = 100
    ) -> list[Transfer]:
        return await self.store.read(lambda repo: repo.transfers_for(agency, role, state, limit))

    async def format_of(self, agency: str) -> str:
        me = await self.store.read(lambda repo: repo.agency(agency))
        return me.format.value if me else "bluelight"

    def render(self, entries: list[Entry], format_: str) -> list[Entry]:
        """Entries with a copy in `format_` (another standard) alongside the native body."""
        if self.translator is None or format_ == "bluelight":
            return entries
        return render.rendered(entries, format_, self.translator)

    async def inbox(self, agency: str, after: int | None = None, limit: int = 100) -> Inbox:
        """Entries after `after`, preceded by any earlier one not yet acknowledged.
        Without `after`, only what was never acknowledged."""

        def job(repo: Repository) -> Inbox:
            start = repo.last_seq(agency) if after is None else after
            entries = repo.backlog(agency, start, limit)
            return Inbox(entries=entries, next_after=max([start, *(e.seq for e in entries)]))

        return await self.store.read(job)

    async def entries(self, agency: str, after: int, limit: int) -> list[Entry]:
        return await self.store.read(lambda repo: repo.entries(agency, after, limit))

    async def stats(self, agency: str | None, since: float | None = None) -> Stats:
        """Per pair and overall. An agency sees only pairs it is part of; None is the hub
        operator's view of everything."""

        def job(repo: Repository) -> list[Transfer]:
            ts = repo.transfers_since(since)
            return ts if agency is None else [t for t in ts if t.party(agency)]

        transfers = await self.store.read(job)
        return report.stats(transfers, self.policy.phone_baseline_s)


def _visible(repo: Repository, agency: str, transfer_id: str) -> Transfer:
    """Another agency's transfer is reported as absent, so its existence is not revealed."""
    transfer = repo.transfer(transfer_id)
    if transfer is None or not transfer.party(agency):
        raise NotFound("no such transfer", [])
    return transfer
