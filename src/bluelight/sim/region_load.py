"""The simulated control rooms of `bluelight bench region` and the region's fault tests
(issue 12): load offered to a whole region through its front door, side by side with the
single-node SQLite hub, while hub nodes, NATS nodes and the PostgreSQL primary fail
(`sim.region_faults` injects the faults, `sim.region_bench` runs the phases).

Each simulated control room is what a CAD gateway is: one SDK `Client` on the region's
one address (HAProxy) and one `Stream` on it, submitting incidents to its partners on the
socket (open loop: what the clock says is due, whatever the answers), acknowledging what
it receives, and, in the fault phase, accepting or rejecting every incident offered to
it. A submission answered 502/503/504 or not at all is sent again with the same message
id, as the integrator guide tells a gateway to, until it is acknowledged or a bound
passes. One more agency never connects: every transfer to it must raise exactly one
overdue alarm at its sender. Every client writes down what it saw (`sim.history`), and
the checker turns that into lost, duplicated and reordered transfers, lost decisions and
missed or doubled alarms.

Phases, each bounded in time and in the load it offers, all traffic on 127.0.0.1:
1. e2e latency (submit -> push at the recipient) at a fixed rate (100/s);
2. a ramp of rising rates; the highest step whose transfers all arrive within the step
   (p99 under a second, at least 90 % of the rate) is the sustained throughput;
3. (region only) faults under a modest continuous load: SIGKILL a hub node and restart
   it, SIGKILL a NATS node and restart it, SIGSTOP a hub node for 10 s then SIGCONT,
   PostgreSQL fail-over (kill the primary, promote the standby); then the checker.

Failover time is measured on the streams that were connected to a failed node: those
whose `reconnects` moved. From the SIGKILL (or SIGSTOP) to the next receipt they got,
and to the next entry pushed to them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import msgspec

from bluelight.client import Client, HubError, Unavailable
from bluelight.hub.domain.agency import Agency, Service
from bluelight.hub.domain.sharing import AgreementTerms, DataClass
from bluelight.hub.services import directory, sharing
from bluelight.hub.services.report import percentile
from bluelight.sim.history import History, Submission, reference_for
from bluelight.sim.incidents import make_incident
from bluelight.wire.transfer import EntryKind

SERVICES = ("police", "fire", "ambulance", "coastguard")
FAULT_KINDS = ("hub_kill", "nats_kill", "hub_stop", "pg_failover")
_RETRY = frozenset({502, 503, 504})


@dataclass
class Plan:
    """What a run does. The defaults are `bluelight bench region`'s: under 5 minutes on
    a 2-core machine, every fault kind once."""

    rooms: int = 4  # simulated control rooms (each sends to every other)
    latency_rate: float = 100.0
    latency_seconds: float = 10.0
    warmup_s: float = 1.0
    ramp: tuple[float, ...] = (50.0, 100.0, 150.0, 200.0, 350.0, 500.0, 700.0, 1000.0, 1400.0)
    step_seconds: float = 4.0
    step_drain_s: float = 3.0
    fault_rate: float = 40.0
    faults_per_kind: int = 1
    fault_gap_s: float = 3.0  # load between two faults
    stop_s: float = 10.0  # how long a SIGSTOPped node stays frozen
    nats_down_s: float = 1.0
    silent_every: int = 20  # in the fault phase, every Nth transfer goes to the silent agency
    silent_ack_deadline_s: float = 3.0
    reject_every: int = 5  # every Nth decision is a rejection
    drain_s: float = 30.0  # after the fault phase, for deliveries, decisions and alarms
    give_up_s: float = 90.0  # a submission or decision still unanswered then is recorded so
    sqlite: bool = True  # measure the single-node SQLite hub too
    region: bool = True
    faults: bool = True
    seed: int = 12
    kinds: tuple[str, ...] = FAULT_KINDS  # which faults, injected in this order


# ---- agencies ---------------------------------------------------------------------------


@dataclass
class Parties:
    tokens: dict[str, str]  # the control rooms' agency ids and tokens
    silent: str  # the agency that never acknowledges


def enrol(transaction: Callable, rooms: int, silent_ack_deadline_s: float) -> Parties:
    """Register the control rooms and the silent agency on a hub's database, as `bluelight
    agency add` does, and one agreement sharing everything between them, so nothing is
    withheld. `transaction`: `bootstrap.hub_transaction(...)` or `HubProcess.transaction`."""
    now = time.time()
    tokens = {}
    for i in range(rooms):
        service = SERVICES[i % len(SERVICES)]
        agency_id = f"uk.{service}.bench{i + 1}"
        # Long deadlines: an alarm for a transfer a room acknowledged is a fault.
        token, job = directory.register(Agency(
            id=agency_id, name=f"Bench {service} {i + 1}", service=Service(service),
            phone="029 2000 0000", ack_deadline_s=600, decision_deadline_s=600), now)
        transaction(job)
        tokens[agency_id] = token
    silent = "uk.lifeboat.bench-silent"
    _, job = directory.register(Agency(
        id=silent, name="Bench silent lifeboat station", service=Service.LIFEBOAT,
        phone="01646 690909", ack_deadline_s=silent_ack_deadline_s,
        decision_deadline_s=600), now)
    transaction(job)
    terms = AgreementTerms(
        parties=[*tokens, silent], purpose="Operational response to emergencies",
        data_classes=list(DataClass),
        lawful_basis="UK GDPR Art. 6(1)(e) public task; DPA 2018 s.35 and Sch. 8",
        review_date=date.today() + timedelta(days=365), retention_days=365)
    transaction(sharing.add("isa-bench-region", terms, "cli:bench", now))
    return Parties(tokens, silent)


# ---- the control rooms -----------------------------------------------------------------


class _Ref(msgspec.Struct):
    reference: str


class _Offer(msgspec.Struct):
    sender: str
    incident: _Ref


class _Status(msgspec.Struct):
    state: str
    recipient: str
    reference: str


class _Overdue(msgspec.Struct):
    recipient: str
    reference: str


_offer = msgspec.json.Decoder(_Offer).decode
_status = msgspec.json.Decoder(_Status).decode
_overdue = msgspec.json.Decoder(_Overdue).decode


@dataclass
class Room:
    agency: str
    client: Client
    stream: object = None
    receiver: asyncio.Task | None = None
    acks: list[tuple[float, float]] = field(default_factory=list)  # (receipt at, sent at)
    pushes: list[float] = field(default_factory=list)  # when each entry arrived
    seen: set[int] = field(default_factory=set)  # the mailbox seqs the application took


@dataclass
class Phase:
    """The submissions of one measured phase and when each first reached its app."""

    measure_from: float
    records: list[Submission] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    first_at: dict[str, float] = field(default_factory=dict)  # reference -> delivered at


class Traffic:
    """The simulated control rooms of one hub (or region), and what they recorded."""

    def __init__(self, url: str, parties: Parties, plan: Plan, history: History | None = None
                 ) -> None:
        self.url, self.parties, self.plan = url, parties, plan
        self.history = history or History()
        self.rng = random.Random(plan.seed)
        self.rooms: dict[str, Room] = {}
        agencies = list(parties.tokens)
        self.pairs = [(s, d) for s in agencies for d in agencies if s != d]
        everyone = [*agencies, parties.silent]
        self.tags = {(s, d): f"R{everyone.index(s) + 1}T{everyone.index(d) + 1}"
                     for s in agencies for d in everyone if s != d}
        self.seqs: Counter = Counter()
        self.tasks: set[asyncio.Task] = set()
        self.decide = False
        self.phase: Phase | None = None
        self.failures: Counter = Counter()  # submission and decision attempts that failed
        self.by_key: dict[str, Submission] = {}  # reference -> record

    # lifecycle ----------------------------------------------------------------------------
    async def open(self) -> None:
        for agency, token in self.parties.tokens.items():
            room = Room(agency, Client(self.url, token, timeout=10.0, failover_timeout=30.0))
            room.stream = await room.client.stream().__aenter__()
            room.receiver = asyncio.create_task(self._receive(room))
            self.rooms[agency] = room
        for room in self.rooms.values():
            await asyncio.wait_for(room.stream.wait_live(), 30)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        for room in self.rooms.values():
            with contextlib.suppress(Exception):
                await room.stream.aclose()
            if room.receiver is not None:
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(room.receiver, 10)
            await room.client.aclose()

    async def sweep(self, pages: int = 1000) -> int:
        """Read every room's whole mailbox over HTTP and take each entry its stream never
        handed the application: what the hub stored but the live streams never pushed.
        (Not the stream's own catch-up: that resumes after the highest seq seen, and an
        entry below it that never came would be taken for a repeat.) Returns how many."""
        came = 0
        for room in self.rooms.values():
            after = 0
            for _ in range(pages):
                page = await room.client.inbox(after=after, limit=1000)
                for entry in page.entries:
                    if entry.seq not in room.seen:
                        self._take(room, entry, time.perf_counter(), live=False)
                        came += 1
                if not page.entries or page.next_after <= after:
                    break
                after = page.next_after
        return came

    # sending ------------------------------------------------------------------------------
    async def offer(self, rate: float, seconds: float | None, *, stop: asyncio.Event | None = None,
                    silent_every: int = 0) -> int:
        """Open loop at `rate` for `seconds` (or until `stop`): returns how many were sent.
        At most `rate * 2 + 100` in flight; what cannot be sent then is not offered."""
        start = time.perf_counter()
        total = round(rate * seconds) if seconds is not None else None
        hard_stop = start + (seconds * 2 + 30 if seconds is not None else 3600)
        max_in_flight = int(rate * 2) + 100
        pairs = itertools.cycle(self.pairs)
        sent = 0
        while (total is None or sent < total) and not (stop and stop.is_set()):
            now = time.perf_counter()
            if now > hard_stop:
                break
            due = int((now - start) * rate) + 1 - sent
            if total is not None:
                due = min(due, total - sent)
            for _ in range(max(0, due)):
                if len(self.tasks) >= max_in_flight:
                    break
                sender, recipient = next(pairs)
                sent += 1
                if silent_every and sent % silent_every == 0:
                    recipient = self.parties.silent
                self._spawn(self._submit(self.rooms[sender], recipient))
            await asyncio.sleep(0.002)
        return sent

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def settle(self, timeout: float) -> None:
        """Until every submission and decision in flight is answered (or `timeout`)."""
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    async def _submit(self, room: Room, recipient: str) -> None:
        pair = (room.agency, recipient)
        self.seqs[pair] += 1
        seq = self.seqs[pair]
        reference = reference_for(self.tags[pair], seq)
        _, _, incident = make_incident(self.rng, reference)
        message_id = uuid.uuid4()
        sent_at = time.perf_counter()
        record = self.history.submitted(room.agency, recipient, reference, seq, str(message_id),
                                        sent_at, unattended=recipient == self.parties.silent)
        self.by_key[reference] = record
        if self.phase is not None:
            self.phase.records.append(record)
        give_up = sent_at + self.plan.give_up_s
        while True:
            try:
                await room.stream.submit_nowait([recipient], incident, message_id=message_id,
                                                timeout=10.0)
            except HubError as exc:
                record.error = f"{exc.status} {exc.problem.get('title', '')}"
                if exc.status not in _RETRY:
                    self.failures[f"submit {exc.status}"] += 1
                    return
                self.failures[f"submit {exc.status} (resent)"] += 1
            except Unavailable:
                record.error = "unavailable"
                self.failures["submit unanswered (resent)"] += 1
            else:
                now = time.perf_counter()
                self.history.acknowledged(record, now)
                room.acks.append((now, sent_at))
                return
            if time.perf_counter() > give_up:
                self.failures["submit given up"] += 1
                return
            record.attempts += 1
            await asyncio.sleep(0.2)

    # receiving ----------------------------------------------------------------------------
    async def _receive(self, room: Room) -> None:
        async for entry in room.stream:
            self._take(room, entry, time.perf_counter())

    def _take(self, room: Room, entry, now: float, *, live: bool = True) -> None:
        history = self.history
        room.seen.add(entry.seq)
        if live:
            room.pushes.append(now)
        if entry.kind is EntryKind.INCIDENT_NEW:
            offer = _offer(entry.body)
            reference = offer.incident.reference
            if history.delivered(room.agency, offer.sender, reference, entry.seq, now):
                self._first_delivery(reference, now)
                if live and self.decide and entry.transfer_id:
                    self._spawn(self._decide(room, entry.transfer_id, reference))
        elif entry.kind is EntryKind.TRANSFER_STATUS:
            status = _status(entry.body)
            history.status_seen(status.reference, status.recipient, status.state)
        elif entry.kind is EntryKind.TRANSFER_OVERDUE:
            overdue = _overdue(entry.body)
            history.alarm(overdue.reference, overdue.recipient)

    def _first_delivery(self, reference: str, now: float) -> None:
        phase, record = self.phase, self.by_key.get(reference)
        if phase is None or record is None or record.sent_at < phase.measure_from:
            return
        phase.first_at[reference] = now
        phase.latencies_ms.append((now - record.sent_at) * 1000)

    async def _decide(self, room: Room, transfer_id: str, reference: str) -> None:
        record = self.by_key.get(reference)
        seq = record.seq if record else 0
        decision = "rejected" if seq % self.plan.reject_every == 0 else "accepted"
        reason = "No resources available" if decision == "rejected" else None
        give_up = time.perf_counter() + self.plan.give_up_s
        error = None
        while time.perf_counter() < give_up:
            try:
                await room.stream.decide(transfer_id, decision, reason, timeout=10.0)
            except HubError as exc:
                error = f"{exc.status}"
                if exc.status == 409:  # decided already: by our own earlier attempt?
                    with contextlib.suppress(HubError, Unavailable):
                        view = await room.client.transfer(transfer_id)
                        if view.state.value == decision:
                            self.history.decided(room.agency, reference, decision, True)
                            return
                if exc.status not in _RETRY:
                    self.failures[f"decide {exc.status}"] += 1
                    break
                self.failures[f"decide {exc.status} (resent)"] += 1
            except Unavailable:
                error = "unavailable"
                self.failures["decide unanswered (resent)"] += 1
            else:
                self.history.decided(room.agency, reference, decision, True)
                return
            await asyncio.sleep(0.2)
        self.history.decided(room.agency, reference, decision, False, error)

    # measuring ----------------------------------------------------------------------------
    async def measure(self, rate: float, seconds: float, warmup: float, drain_s: float
                      ) -> dict:
        """Offer `rate` for `seconds`; latency and throughput of what was sent after
        `warmup`, waiting at most `drain_s` after the last send for deliveries."""
        start = time.perf_counter()
        phase = self.phase = Phase(start + warmup)
        offered = await self.offer(rate, seconds)
        sent_s = time.perf_counter() - start
        deadline = time.perf_counter() + drain_s
        while time.perf_counter() < deadline:
            acked = [r for r in phase.records if r.acknowledged]
            if (len(acked) == len(phase.records)
                    and all(r.reference in phase.first_at for r in acked
                            if r.sent_at >= phase.measure_from)):
                break
            await asyncio.sleep(0.02)
        self.phase = None
        window = [r for r in phase.records if r.sent_at >= phase.measure_from]
        delivered = [phase.first_at[r.reference] for r in window if r.reference in phase.first_at]
        measured = (max(delivered) - phase.measure_from) if delivered else 0.0
        acked = [r for r in phase.records if r.acknowledged]
        stored = [r.acked_at for r in window if r.acknowledged]
        lat = phase.latencies_ms
        receipts = [(r.acked_at - r.sent_at) * 1000 for r in window if r.acknowledged]
        return {
            "offered_rate": rate,
            "offered": offered,
            "sent_in_s": round(sent_s, 2),
            "acknowledged": len(acked),
            "delivered": len(delivered),
            "undelivered": len(window) - len(delivered),
            "throughput_per_s": round(len(delivered) / measured, 1) if measured else 0.0,
            "stored_per_s": (round(len(stored) / (max(stored) - phase.measure_from), 1)
                             if stored else 0.0),
            "e2e_p50_ms": percentile(lat, 0.5),
            "e2e_p90_ms": percentile(lat, 0.9),
            "e2e_p99_ms": percentile(lat, 0.99),
            "e2e_max_ms": round(max(lat), 3) if lat else None,
            # submit -> the sender's receipt ("stored"): the store's share of e2e
            "receipt_p50_ms": percentile(receipts, 0.5),
            "receipt_p99_ms": percentile(receipts, 0.99),
        }

    async def ramp(self, rates: tuple[float, ...], seconds: float, drain_s: float) -> dict:
        """Rising rates until one is not sustained: every transfer sent delivered within
        the step, p99 under a second and at least 90 % of the rate delivered per second."""
        steps, best = [], None
        for rate in rates:
            step = await self.measure(rate, seconds, warmup=0.5, drain_s=drain_s)
            step["sustained"] = (step["offered"] >= 0.98 * rate * seconds
                                 and step["undelivered"] == 0
                                 and step["acknowledged"] == step["offered"]
                                 and (step["e2e_p99_ms"] or 1e9) <= 1000
                                 and step["throughput_per_s"] >= 0.9 * rate)
            steps.append(step)
            if not step["sustained"]:
                break
            best = step
            await self.settle(5)
        return {
            "throughput_per_s": best["throughput_per_s"] if best else 0.0,
            "e2e_at_max_p50_ms": best["e2e_p50_ms"] if best else None,
            "e2e_at_max_p99_ms": best["e2e_p99_ms"] if best else None,
            "steps": [{k: s[k] for k in ("offered_rate", "throughput_per_s", "stored_per_s",
                                         "e2e_p50_ms", "e2e_p99_ms", "receipt_p99_ms",
                                         "undelivered",
                                         "sustained")} for s in steps],
        }

    def waiting_for(self) -> int:
        """What the fault phase's drain still waits for: acknowledged transfers not yet
        delivered, acknowledged decisions the sender has not seen, alarms not raised."""
        h = self.history
        waiting = 0
        for key, record in h.submissions.items():
            if record.acknowledged:
                if record.unattended:
                    waiting += not h.alarms[key]
                else:
                    waiting += not h.has_delivery(key)
        for key, made in h.decisions.items():
            if made.acknowledged and made.decision not in h.statuses.get(key, ()):
                waiting += 1
        return waiting
