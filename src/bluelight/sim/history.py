"""A history checker for a hub under faults, from the clients' own records only (issue 12).

Nothing here asks the hub what happened. Each simulated control room writes down what it
saw, as a real CAD gateway could:

- a sender, for each incident it submitted: the recipient, the message id, its own
  sequence number for the (sender, recipient) pair (also written into the incident's
  reference), when it first sent it, and whether and when a receipt came back (201, or
  200 for a resend the hub recognised);
- a recipient application, every `incident.new` its stream handed it, in the order it
  got them, and each decision (accept or reject) it made and whether the hub answered
  it 2xx;
- a sender, every `transfer.status` and `transfer.overdue` entry it got.

`check(history)` turns that into counts. Lost, duplicated, reordered, a lost decision, a
missed or doubled alarm: each is a broken promise of the hub (or the SDK), and the
fault tests require every one of them to be 0.

**Order.** A sender that has a receipt for A before it sends B has told the hub "A, then
B". If B then reaches the recipient's application first, that is a reordering,
whatever else was in flight. Submissions that overlapped (B sent before A's receipt
came) have no order a client can rely on once a fault makes one of them be resent, so
they are not counted as reordered; `inversions` counts every delivery that came after a
higher sequence number of the same pair, overlapping or not, for information."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

Key = tuple[str, str]  # (reference, recipient): one transfer


def reference_for(tag: str, seq: int) -> str:
    """The incident reference carrying a pair's sequence number: `<tag>-<seq>`."""
    return f"{tag}-{seq:08d}"


def seq_of(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


@dataclass
class Submission:
    sender: str
    recipient: str
    reference: str
    seq: int  # the sender's own number for the (sender, recipient) pair, from 1
    message_id: str
    sent_at: float  # the first attempt (any monotonic clock shared by the records)
    # Sent to a recipient that deliberately never acknowledges: the sender expects one
    # overdue alarm for it, and no delivery.
    unattended: bool = False
    acked_at: float | None = None  # the first 201/200 with a receipt
    status: int | None = None  # that receipt's status
    attempts: int = 1
    error: str | None = None  # the last failure, when it was never acknowledged

    @property
    def acknowledged(self) -> bool:
        return self.acked_at is not None


@dataclass
class Delivery:
    recipient: str
    sender: str
    reference: str
    entry_seq: int  # the recipient's mailbox seq
    at: float


@dataclass
class DecisionMade:
    recipient: str
    reference: str
    decision: str  # accepted | rejected
    acknowledged: bool  # the hub answered 2xx
    error: str | None = None


@dataclass
class History:
    """What every client recorded. The recorders are plain appends, cheap enough to run
    inside a load generator's receive loop."""

    submissions: dict[Key, Submission] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    decisions: dict[Key, DecisionMade] = field(default_factory=dict)
    statuses: dict[Key, list[str]] = field(default_factory=lambda: defaultdict(list))
    alarms: Counter = field(default_factory=Counter)  # Key -> alarms received

    # the senders -------------------------------------------------------------------------
    def submitted(self, sender: str, recipient: str, reference: str, seq: int,
                  message_id: str, at: float, *, unattended: bool = False) -> Submission:
        record = Submission(sender, recipient, reference, seq, message_id, at, unattended)
        self.submissions[(reference, recipient)] = record
        return record

    @staticmethod
    def acknowledged(record: Submission, at: float, status: int = 201) -> None:
        if record.acked_at is None:
            record.acked_at, record.status, record.error = at, status, None

    def status_seen(self, reference: str, recipient: str, state: str) -> None:
        """A `transfer.status` entry the sender got."""
        self.statuses[(reference, recipient)].append(state)

    def alarm(self, reference: str, recipient: str) -> None:
        """A `transfer.overdue` entry the sender got."""
        self.alarms[(reference, recipient)] += 1

    # the recipients ------------------------------------------------------------------------
    def delivered(self, recipient: str, sender: str, reference: str, entry_seq: int,
                  at: float) -> bool:
        """An `incident.new` the application took. True the first time for this transfer."""
        first = (reference, recipient) not in self._seen
        self._seen.add((reference, recipient))
        self.deliveries.append(Delivery(recipient, sender, reference, entry_seq, at))
        return first

    def has_delivery(self, key: Key) -> bool:
        return key in self._seen

    def decided(self, recipient: str, reference: str, decision: str, acknowledged: bool,
                error: str | None = None) -> None:
        self.decisions[(reference, recipient)] = DecisionMade(recipient, reference, decision,
                                                              acknowledged, error)

    def __post_init__(self) -> None:
        self._seen: set[Key] = {(d.reference, d.recipient) for d in self.deliveries}


@dataclass
class Counts:
    submitted: int = 0
    acknowledged: int = 0
    delivered: int = 0  # acknowledged transfers that reached their application
    lost: int = 0  # acknowledged, never delivered
    duplicated: int = 0  # deliveries to an application beyond the first, per transfer
    reordered: int = 0  # delivered after a later submission of its pair (see the module)
    inversions: int = 0  # delivered after a higher seq of its pair, overlapping included
    delivered_unacknowledged: int = 0  # stored, though the sender never got the receipt
    phantom: int = 0  # delivered, yet never submitted by anyone
    decisions: int = 0
    decisions_acknowledged: int = 0
    decisions_lost: int = 0  # answered 2xx, never seen by the sender as that state
    alarms_expected: int = 0
    alarms_received: int = 0
    alarms_missed: int = 0
    alarms_doubled: int = 0
    alarms_unexpected: int = 0  # for a transfer that was acknowledged in time

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.reordered or self.phantom
                    or self.decisions_lost or self.alarms_missed or self.alarms_doubled
                    or self.alarms_unexpected)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def check(history: History) -> Counts:
    counts = Counts()
    subs = history.submissions
    counts.submitted = len(subs)
    counts.acknowledged = sum(1 for s in subs.values() if s.acknowledged)

    seen: Counter = Counter()
    for d in history.deliveries:
        seen[(d.reference, d.recipient)] += 1
    counts.duplicated = sum(n - 1 for n in seen.values() if n > 1)
    counts.phantom = sum(1 for key in seen if key not in subs)
    counts.delivered_unacknowledged = sum(1 for key in seen
                                          if key in subs and not subs[key].acknowledged)
    for key, sub in subs.items():
        if sub.acknowledged and not sub.unattended:
            if seen[key]:
                counts.delivered += 1
            else:
                counts.lost += 1
    counts.reordered, counts.inversions = _order(history)
    _decisions(history, counts)
    _alarms(history, counts)
    return counts


def _order(history: History) -> tuple[int, int]:
    """(reordered, inversions) over every (sender, recipient) pair."""
    subs = history.submissions
    # Each pair's acknowledged submissions, in the order their first copy was delivered.
    pairs: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    placed: set[Key] = set()
    for d in history.deliveries:
        key = (d.reference, d.recipient)
        sub = subs.get(key)
        if sub is None or key in placed:
            continue
        placed.add(key)
        if sub.acknowledged:
            pairs[(sub.sender, sub.recipient)].append(sub)
    reordered = inversions = 0
    for delivered in pairs.values():
        highest = 0
        for sub in delivered:
            if sub.seq < highest:
                inversions += 1
            highest = max(highest, sub.seq)
        # A is reordered if some B first sent after A's receipt came was delivered
        # before A. By send time: the earliest delivery position among those sent later.
        by_sent = sorted(range(len(delivered)), key=lambda i: delivered[i].sent_at)
        sent_times = [delivered[i].sent_at for i in by_sent]
        earliest_after = [0] * (len(by_sent) + 1)
        earliest_after[-1] = len(delivered)
        for j in range(len(by_sent) - 1, -1, -1):
            earliest_after[j] = min(earliest_after[j + 1], by_sent[j])
        for position, sub in enumerate(delivered):
            later = bisect.bisect_right(sent_times, sub.acked_at)
            if earliest_after[later] < position:
                reordered += 1
    return reordered, inversions


def _decisions(history: History, counts: Counts) -> None:
    counts.decisions = len(history.decisions)
    for key, made in history.decisions.items():
        if not made.acknowledged:
            continue
        counts.decisions_acknowledged += 1
        if made.decision not in history.statuses.get(key, ()):
            counts.decisions_lost += 1


def _alarms(history: History, counts: Counts) -> None:
    expected = {key for key, s in history.submissions.items()
                if s.unattended and s.acknowledged}
    unattended = {key for key, s in history.submissions.items() if s.unattended}
    counts.alarms_expected = len(expected)
    counts.alarms_received = sum(history.alarms.values())
    counts.alarms_missed = sum(1 for key in expected if not history.alarms[key])
    counts.alarms_doubled = sum(n - 1 for n in history.alarms.values() if n > 1)
    counts.alarms_unexpected = sum(n for key, n in history.alarms.items()
                                   if key not in unattended)


__all__ = ["Counts", "DecisionMade", "Delivery", "History", "Submission", "check",
           "reference_for", "seq_of"]
