"""The hub's use cases behind one facade: what every entry point (HTTP, WebSocket, CLI,
simulator) calls. It resolves locations, hands jobs to the store, publishes what they put
in mailboxes to the delivery port once it is durable, and records metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import msgspec
import structlog

from bluelight.hub.domain.agency import Agency
from bluelight.hub.domain.commands import (
    Decide,
    SubmitCancellation,
    SubmitClosure,
    SubmitIncident,
    SubmitUpdate,
)
from bluelight.hub.domain.incident import Incident
from bluelight.hub.domain.operator import Session
from bluelight.hub.domain.sharing import Agreement, redact_event
from bluelight.hub.domain.signature import SignatureRecord, SignedKind
from bluelight.hub.domain.throttle import Backoff
from bluelight.hub.domain.transfer import Entry, TimelineEvent, Transfer, timeline
from bluelight.hub.domain.translation import Native
from bluelight.hub.services import (
    audit,
    credentials,
    escalate,
    gateway,
    history,
    operators,
    receive,
    render,
    report,
    retention,
    sharing,
    signatures,
    submit,
)
from bluelight.hub.services.hashing import Busy, HashingPool
from bluelight.hub.services.locate import locate
from bluelight.hub.services.ports import (
    Clock,
    Delivery,
    Gazetteer,
    Geodesy,
    HubMetrics,
    Jose,
    NoDelivery,
    NoMetrics,
    RawMessage,
    Repository,
    Store,
    Translator,
)
from bluelight.hub.services.throttle import SignInThrottle, Throttled
from bluelight.hub.services.views import (
    Inbox,
    Receipt,
    SharingPreview,
    Timeline,
    TransferExport,
    TransferView,
    UpdatePage,
)
from bluelight.kernel.errors import DomainError, NotFound
from bluelight.kernel.geography import operates_in_gb
from bluelight.kernel.settings import Policy
from bluelight.wire.stats import Stats

log = structlog.get_logger(__name__)
TIMELINE_PAGE = 1000  # logged events per page of a timeline


class Hub:
    def __init__(
        self,
        store: Store,
        gazetteer: Gazetteer,
        geodesy: Geodesy,
        policy: Policy | None = None,
        metrics: HubMetrics | None = None,
        clock: Clock = time.time,
        translator: Translator | None = None,
        jose: Jose | None = None,
        hashing: HashingPool | None = None,
        delivery: Delivery | None = None,
        node: str = "hub",  # this hub node's name in its cluster
    ) -> None:
        self.store, self.node = store, node
        # Where committed mailbox entries go: the agencies' connected sessions. Without
        # one (a tool that only stores), entries wait in the mailbox for the next poll.
        self.delivery = delivery or NoDelivery()
        self.publish = self.delivery.publish
        # The directory as the losses are worked out from (agencies by id, agreements in
        # force): a snapshot, checked by each write job, so it may lag a change.
        self._terms: tuple[dict[str, Agency], list[Agreement]] | None = None
        self._refreshing: asyncio.Task | None = None
        self.gazetteer = gazetteer
        self.geodesy = geodesy
        self.policy = policy or Policy()
        self.metrics = metrics or NoMetrics()
        self.clock = clock
        self.translator = translator
        self.jose = jose  # checks message signatures
        self.hashing = hashing or HashingPool(self.policy.signin_queue)
        self.throttle = SignInThrottle(
            Backoff(self.policy.signin_user_failures, self.policy.signin_backoff_s,
                    self.policy.signin_backoff_max_s),
            Backoff(self.policy.signin_address_failures, self.policy.signin_backoff_s,
                    self.policy.signin_backoff_max_s))

    # identity ---------------------------------------------------------------------------
    async def authenticate(self, token: str) -> str | None:
        """Checked against the database every time, so a revoked token fails on its next
        request. (Streams authenticate once; see `revoked_since` for closing them.)"""
        return await self.store.read(lambda repo: credentials.verify(repo, token))

    async def revoked_since(self, since: float) -> list[str]:
        """Key ids of credentials revoked at or after `since`."""
        return await self.store.read(lambda repo: repo.revoked_since(since))

    # console sessions ---------------------------------------------------------------------
    async def sign_in(self, username: str, password: str, address: str = ""
                      ) -> tuple[str, Session] | None:
        """A new session for a right username and password, else None (which of the two
        was wrong is not said). `address` is the client's, for throttling.

        Raises `Throttled` when the username or the address is paused after too many
        failures, and `Busy` when the hashing queue is full; neither checks the
        password. Every refusal, None included, comes no sooner than the policy's
        `signin_refusal_delay_s` after the call: a client that retries as soon as it is
        answered then costs the hub a sleeping coroutine, not a busy event loop, and
        every refusal takes the same time whatever went wrong."""
        started = time.monotonic()
        try:
            opened = await self._sign_in(username, password, address, started)
        except Throttled as exc:
            await self._refusal_delay(started)
            exc.wait_s = max(0.0, exc.wait_s - (time.monotonic() - started))
            raise
        except Busy:
            await self._refusal_delay(started)
            raise
        if opened is None:
            await self._refusal_delay(started)
            # A pause runs from when the client hears of the failure.
            self.throttle.failed(username, address, time.monotonic())
        return opened

    async def _sign_in(self, username: str, password: str, address: str, started: float
                       ) -> tuple[str, Session] | None:
        self.throttle.check(username, address, started)
        with self.hashing.place():
            pause_s = self.throttle.charge(username, address, started)
            # The stored hash is read on a reader thread (fast); the slow check runs on
            # the hashing thread, so bearer-token checks never wait behind it.
            found = await self.store.read(lambda repo: repo.operator(username))
            operator = await self.hashing.run(operators.verify, found, password)
        now = self.clock()
        if operator is None:
            # Refusals are audited too: repeated ones are how guessing shows. (Attempts
            # refused unchecked are not: each would cost a write, for nothing new.)
            detail = {"username": username, "address": address}
            if pause_s:
                detail["paused_s"] = pause_s
            await self.store.write(lambda repo: audit.record(
                repo, now, "anonymous", "session.refused", detail=detail))
            return None
        self.throttle.succeeded(username, address)
        token, session = operators.open_session(operator, now, self.policy.session_max_s)

        def job(repo: Repository) -> None:
            repo.save_session(session)
            audit.record(repo, now, f"{operator.agency}/{operator.username}", "session.opened",
                         agency=operator.agency, detail={"role": session.role})

        await self.store.write(job)
        return token, session

    async def _refusal_delay(self, started: float) -> None:
        remaining = started + self.policy.signin_refusal_delay_s - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)

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
        now = self.clock()

        def job(repo: Repository) -> None:
            session = repo.session(operators.token_hash(token))
            repo.end_session(operators.token_hash(token))
            if session is not None:
                audit.record(repo, now, f"{session.agency}/{session.username}",
                             "session.closed", agency=session.agency)

        await self.store.write(job)

    async def agencies(self) -> list[Agency]:
        return await self.store.read(lambda repo: repo.agencies())

    # sending ----------------------------------------------------------------------------
    async def submit_incident(
        self, sender: str, command: SubmitIncident, *, raw: RawMessage | None = None,
        signature: SignatureRecord | signatures.Unsigned | None = None,
    ) -> tuple[Receipt, bool]:
        submitted_at = self.clock()
        location, flags = locate(
            command.incident.location, self.gazetteer, self.geodesy,
            reject_unknown_uprn=self.policy.reject_unknown_uprn, gb=operates_in_gb(sender),
        )
        incident = msgspec.structs.replace(command.incident, location=location)
        lost = self._lost(sender, incident, raw)
        # Translation losses are worked out here, before the write job (encoding in each
        # recipient's standard is the slow part, and the writer's batches are
        # time-boxed), from the hub's snapshot of the directory. The job checks each
        # against the recipient and agreement in force, and works out any the snapshot
        # got wrong itself. No await comes between here and queueing the job, so a
        # sender's messages are stored in the order they arrived.
        losses = None
        if (terms := self._terms) is not None:
            losses = submit.losses_for(*terms, sender, command.recipients, incident, lost)
        missed: list[str] = []  # recipients the snapshot was wrong about

        def in_job(recipient: Agency, shared: Incident) -> list[str]:
            missed.append(recipient.id)
            return lost(recipient, shared)

        receipt, created = await self.store.write(
            signatures.kept(
                signature,
                submit.submit_incident(sender, command, incident, flags, submitted_at,
                                       self.clock, self.policy, raw, losses,
                                       audit.actor(sender), in_job)),
            # Once durable: push each recipient its new entry.
            publish=self.publish)
        if missed or terms is None:
            self._refresh_terms()  # after the commit, so it reads what the job saw
        if created:
            self.metrics.stored(sender, [t.recipient for t in receipt.transfers],
                                receipt.stored_at - submitted_at)
        return receipt, created

    async def submit_update(
        self, sender: str, reference: str, command: SubmitUpdate, *,
        raw: RawMessage | None = None, signature: SignatureRecord | signatures.Unsigned | None = None,
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
            signatures.kept(
                signature,
                submit.submit_update(sender, reference, command, flags, self.clock, raw,
                                     audit.actor(sender))),
            publish=self.publish)

    async def submit_closure(
        self, sender: str, reference: str, command: SubmitClosure, *,
        raw: RawMessage | None = None, signature: SignatureRecord | signatures.Unsigned | None = None,
    ) -> tuple[Receipt, bool]:
        return await self.store.write(signatures.kept(
            signature,
            submit.submit_closure(sender, reference, command, self.clock, raw,
                                  audit.actor(sender))),
            publish=self.publish)

    async def submit_cancellation(
        self, sender: str, reference: str, command: SubmitCancellation, *,
        raw: RawMessage | None = None, signature: SignatureRecord | signatures.Unsigned | None = None,
    ) -> tuple[Receipt, bool]:
        return await self.store.write(
            signatures.kept(
                signature,
                submit.submit_cancellation(sender, reference, command, self.clock, raw,
                                           audit.actor(sender))),
            publish=self.publish)

    async def refresh_terms(self) -> None:
        """Read the directory snapshot the losses are worked out from: every agency
        (its format) and the agreements in force. The server calls it on start; after
        that a submission that found it wrong schedules a refresh."""
        self._terms = await self.store.read(
            lambda repo: ({a.id: a for a in repo.agencies()}, repo.agreements_in_force()))

    def _refresh_terms(self) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self._refresh_quietly())

    async def _refresh_quietly(self) -> None:
        try:
            await self.refresh_terms()
        except Exception:  # the jobs stay right without it: they work losses out
            log.warning("could not refresh the directory snapshot", exc_info=True)

    def _lost(self, sender: str, incident: Incident, raw: RawMessage | None
              ) -> Callable[[Agency, Incident], list[str]]:
        decode_losses = list(raw.losses) if raw else []

        def losses(recipient: Agency, shared: Incident) -> list[str]:
            """What the recipient's standard cannot carry of what it may have, plus what
            the sender's standard lost."""
            lost = set(decode_losses)
            if self.translator is not None and recipient.format.value != "bluelight":
                native = Native(kind="incident", sender=sender, recipients=[recipient.id],
                                reference=incident.reference, incident=shared)
                try:
                    lost.update(self.translator.encode(recipient.format.value, native).losses)
                except DomainError as exc:
                    lost.add(f"(message): {exc.detail}")
            return sorted(lost)

        return losses

    # other standards ----------------------------------------------------------------------
    async def receive_message(self, agency: str, format_: str | None, data: bytes,
                              media_type: str, *, signature: SignatureRecord | signatures.Unsigned | None = None,
                              ) -> tuple[object, bool]:
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
            return await handler(agency, reference, command, raw=raw, signature=signature)
        if not native.recipients:
            # A public alert names no addressees: it goes to those who subscribed.
            subscribers = await self.store.read(lambda repo: repo.subscribers(agency))
            native = msgspec.structs.replace(native, recipients=subscribers)
        command = gateway.submission(native, agency)
        return await self.submit_incident(agency, command, raw=raw, signature=signature)

    # receiving --------------------------------------------------------------------------
    async def acknowledge(self, agency: str, seqs: Sequence[int]) -> int:
        # Not urgent: a lost or late ack only means a replay, which clients drop.
        count, delivered = await self.store.write(
            receive.acknowledge(agency, seqs, self.clock, self.policy, audit.actor(agency)),
            urgent=False, publish=self.publish)  # "delivered" goes to each sender
        for transfer in delivered:
            self.metrics.moved(transfer)
        return count

    async def decide(self, agency: str, transfer_id: str, command: Decide, *,
                     signature: SignatureRecord | signatures.Unsigned | None = None) -> TransferView:
        transfer = await self.store.write(
            signatures.kept(
                signature,
                receive.decide(agency, transfer_id, command, self.clock, audit.actor(agency))),
            publish=self.publish)  # the decision goes to the sender
        self.metrics.moved(transfer)
        return await self.transfer(agency, transfer_id)

    async def retain(self, default_days: int) -> int:
        """Run the retention purge until nothing more is due; how many were purged."""
        purged = 0
        while True:
            done, more = await self.store.write(
                retention.run(self.clock(), default_days, "hub"), urgent=False)
            purged += len(done)
            if not more:
                return purged

    async def audit_head(self) -> tuple[int, str] | None:
        return await self.store.read(lambda repo: repo.audit_head())

    async def escalate(self, lease_s: float = 3.0) -> list[Transfer]:
        """Raise the alarms now due, if this node holds the scan's lease (see
        `escalate.escalate`); `lease_s` is how long a silent holder keeps it."""
        raised = await self.store.write(escalate.escalate(self.clock, holder=self.node,
                                                          lease_s=lease_s), urgent=False,
                                        publish=self.publish)  # "phone them now" alarms
        for transfer, stage in raised:
            self.metrics.overdue(transfer, stage.value)
        return [t for t, _ in raised]

    # message signatures -------------------------------------------------------------------
    async def check_signature(self, agency: str, kind: SignedKind, signature: str | None,
                              payload: bytes, field: str) -> SignatureRecord | signatures.Unsigned | None:
        """The verified signature over `payload`, to pass on with the message (None when
        the agency need not sign). The keys are read every time: a revoked key fails on
        the next message."""
        now = self.clock()
        if not signature and not self.policy.require_signatures:
            return signatures.Unsigned(agency, field)  # checked when it is stored
        return await self.store.read(lambda repo: signatures.check(
            repo, self.jose, agency, kind, signature, payload, now, self.policy, field))

    async def signing_keys(self, agency_id: str) -> signatures.KeySet:
        return await self.store.read(lambda repo: signatures.key_set(repo, self.jose,
                                                                     agency_id))

    async def transfer_signatures(self, agency: str,
                                  transfer_id: str) -> signatures.TransferSignatures:
        return await self.store.read(
            lambda repo: signatures.of_transfer(repo, agency, transfer_id))

    # reading ----------------------------------------------------------------------------
    async def transfer(self, agency: str, transfer_id: str) -> TransferView:
        view = await self.store.read(lambda repo: _view(repo, agency, transfer_id))
        await self._accessed(agency, "transfer.read", view)
        return view

    async def timeline(self, agency: str, transfer_id: str, after: int = 0,
                       limit: int = TIMELINE_PAGE) -> Timeline:
        def job(repo: Repository) -> tuple[Timeline, Transfer]:
            transfer = _visible(repo, agency, transfer_id)
            events, next_after = _events(repo, agency, transfer, after, limit)
            return Timeline(transfer_id=transfer_id, events=events,
                            next_after=next_after), transfer

        result, transfer = await self.store.read(job)
        await self._accessed(agency, "timeline.read", transfer)
        return result

    async def updates(self, agency: str, transfer_id: str, after: int = 0,
                      limit: int = history.PAGE) -> UpdatePage:
        """A page of the incident's update history, as this agency may see it."""

        def job(repo: Repository) -> tuple[UpdatePage, Transfer]:
            transfer = _visible(repo, agency, transfer_id)
            return history.page(repo, transfer, agency, after, limit), transfer

        page, transfer = await self.store.read(job)
        await self._accessed(agency, "updates.read", transfer)
        return page

    async def export(self, agency: str, transfer_id: str,
                     format_: str | None = None) -> TransferExport:
        """A transfer, its incident as this agency may see it, its timeline and update
        history, as one record for the agency's own files; also written in `format_`
        (default: the agency's own standard) when that is another standard."""

        def job(repo: Repository) -> TransferExport:
            view = _view(repo, agency, transfer_id)
            events, timeline_next = _events(repo, agency, view)
            updates = history.page(repo, view, agency, 0, history.EXPORT)
            return TransferExport(exported_at=self.clock(), agency=agency, transfer=view,
                                  timeline=events, timeline_next_after=timeline_next,
                                  updates=updates.updates,
                                  updates_next_after=updates.next_after)

        export = await self.store.read(job)
        format_ = format_ or await self.format_of(agency)
        if self.translator is not None and format_ != "bluelight":
            export.rendered = render.exported(export, format_, self.translator)
        await self._accessed(agency, "transfer.exported", export.transfer)
        return export

    async def preview(self, sender: str, recipients: list[str],
                      incident: Incident) -> list[SharingPreview]:
        """What each partner would receive of `incident` under the agreements in force."""
        location, _ = locate(incident.location, self.gazetteer, self.geodesy,
                             reject_unknown_uprn=False, gb=operates_in_gb(sender))
        incident = msgspec.structs.replace(incident, location=location)
        return await self.store.read(
            lambda repo: sharing.preview(repo, sender, recipients, incident))

    async def agreements(self, agency: str) -> list[Agreement]:
        return await self.store.read(lambda repo: sharing.of_agency(repo, agency))

    async def _accessed(self, agency: str, action: str, transfer: Transfer) -> None:
        """Reads of incident data are audited too; not urgent, as nobody waits on it."""
        at = self.clock()
        actor = audit.actor(agency)
        other = transfer.recipient if agency == transfer.sender else transfer.sender
        await self.store.write(
            lambda repo: audit.record(repo, at, actor, action, agency=agency,
                                      counterparty=other, incident_id=transfer.incident_id,
                                      transfer_id=transfer.transfer_id),
            urgent=False)

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

        page = await self.store.read(job)
        if page.entries:
            await self.mailbox_read(agency, "inbox.read", [e.seq for e in page.entries])
        return page

    async def mailbox_read(self, agency: str, action: str, seqs: list[int]) -> None:
        """Audit a read of the mailbox (a poll, or a stream opening)."""
        at, actor = self.clock(), audit.actor(agency)
        detail = {"seqs": [min(seqs), max(seqs)], "count": len(seqs)} if seqs else {}
        await self.store.write(lambda repo: audit.record(repo, at, actor, action,
                                                         agency=agency, detail=detail),
                               urgent=False)

    async def entries(self, agency: str, after: int, limit: int) -> list[Entry]:
        return await self.store.read(lambda repo: repo.entries(agency, after, limit))

    async def unacked(self, agency: str, after: int, upto: int, limit: int) -> list[Entry]:
        return await self.store.read(lambda repo: repo.unacked(agency, after, upto, limit))

    async def stats(self, agency: str | None, since: float | None = None) -> Stats:
        """Per pair and overall. An agency sees only pairs it is part of; None is the hub
        operator's view of everything."""

        def job(repo: Repository) -> list[Transfer]:
            ts = repo.transfers_since(since)
            return ts if agency is None else [t for t in ts if t.party(agency)]

        transfers = await self.store.read(job)
        return report.stats(transfers, self.policy.phone_baseline_s)

    # for the entry points, which never read the store themselves -------------------
    async def is_agency(self, agency_id: str) -> bool:
        """Whether the agency is registered (a client certificate must name one)."""
        return await self.store.read(lambda repo: repo.agency(agency_id)) is not None

    def health(self) -> str | None:
        """Why the hub cannot store anything now (e.g. a read-only disk), or None."""
        return self.store.health()


def _view(repo: Repository, agency: str, transfer_id: str) -> TransferView:
    transfer = _visible(repo, agency, transfer_id)
    record = repo.incident(transfer.incident_id)
    incident = sharing.as_received(repo, transfer, record.incident, agency)
    return TransferView(**msgspec.structs.asdict(transfer), incident=incident,
                        updates=history.summary(repo, transfer, agency))


def _events(repo: Repository, agency: str, transfer: Transfer, after: int = 0,
            limit: int = TIMELINE_PAGE) -> tuple[list[TimelineEvent], int | None]:
    """A page of the timeline and the cursor of the next (None: this is the last). One
    row more than the page is read: its time is where this page's span ends."""
    rows = repo.timeline(transfer.incident_id, transfer.transfer_id, after, limit + 1)
    page, beyond = rows[:limit], rows[limit:]
    logged = [event for _, event in page]
    if agency != transfer.sender:
        allowed = sharing.allowed_on(repo, transfer)
        logged = [redact_event(event, allowed) for event in logged]
    events = timeline(transfer, logged, first=after == 0,
                      until=beyond[0][1].at if beyond else None)
    return events, (page[-1][0] if beyond else None)


def _visible(repo: Repository, agency: str, transfer_id: str) -> Transfer:
    """Another agency's transfer is reported as absent, so its existence is not revealed."""
    transfer = repo.transfer(transfer_id)
    if transfer is None or not transfer.party(agency):
        raise NotFound("no such transfer", [])
    return transfer
