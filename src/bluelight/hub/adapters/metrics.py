"""Prometheus metrics for the hub (served at /metrics).

The hot path only bumps plain in-memory counts (a dict increment and a bisect per
observation); a custom collector turns them into Prometheus samples when /metrics is
scraped. prometheus_client's own Counter/Histogram take a lock and build label keys on
every call, which cost tens of microseconds per transfer at thousands a second."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from bluelight.hub.domain.transfer import Transfer, TransferState

# Transfer times span milliseconds (machine) to minutes (a person deciding).
SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 16,
                   30, 60, 120, 240, 600)
JOB_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


class _Histogram:
    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last is +Inf
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value

    def buckets(self) -> list[tuple[str, float]]:
        out, running = [], 0
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else repr(float(bound)), running))
        return out


class PrometheusMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.transfers: dict[tuple[str, str, str], int] = defaultdict(int)
        self.overdue_total: dict[tuple[str, str, str], int] = defaultdict(int)
        self.store_seconds: dict[tuple[str], _Histogram] = {}
        self.deliver_seconds: dict[tuple[str, str], _Histogram] = {}
        self.decide_seconds: dict[tuple[str, str, str], _Histogram] = {}
        self.commit_batch = _Histogram(JOB_BUCKETS)
        self.commit_seconds = _Histogram(SECONDS_BUCKETS)
        self.sessions = 0
        # Read at scrape time, when the composition root sets them: the store's health
        # (None when it can write) and a cluster delivery's counters.
        self.store_health: Callable[[], str | None] | None = None
        self.delivery_counters: Callable[[], dict[str, int]] | None = None
        self.registry.register(self)

    @staticmethod
    def _histogram(table: dict, key: tuple) -> _Histogram:
        h = table.get(key)
        if h is None:
            h = table[key] = _Histogram(SECONDS_BUCKETS)
        return h

    # the HubMetrics port ------------------------------------------------------------------
    def stored(self, sender: str, recipients: list[str], seconds: float) -> None:
        self._histogram(self.store_seconds, (sender,)).observe(seconds)
        for recipient in recipients:
            self.transfers[(sender, recipient, "stored")] += 1

    def moved(self, t: Transfer) -> None:
        self.transfers[(t.sender, t.recipient, t.state.value)] += 1
        if t.state is TransferState.DELIVERED and t.delivered_at is not None:
            self._histogram(self.deliver_seconds, (t.sender, t.recipient)).observe(
                t.delivered_at - t.submitted_at)
        elif t.decided_at is not None:
            self._histogram(self.decide_seconds, (t.sender, t.recipient, t.state.value)).observe(
                t.decided_at - t.submitted_at)

    def overdue(self, t: Transfer, stage: str) -> None:
        self.overdue_total[(t.sender, t.recipient, stage)] += 1

    def batch(self, jobs: int, seconds: float) -> None:
        self.commit_batch.observe(jobs)
        self.commit_seconds.observe(seconds)

    def session_opened(self) -> None:
        self.sessions += 1

    def session_closed(self) -> None:
        self.sessions -= 1

    # the collector (called at scrape time) ----------------------------------------------
    def describe(self):
        return []  # no fixed description; samples are built per scrape

    def collect(self):
        c = CounterMetricFamily("bluelight_transfers", "Transfers reaching each state",
                                labels=["sender", "recipient", "state"])
        for labels, value in list(self.transfers.items()):
            c.add_metric(labels, value)
        yield c
        c = CounterMetricFamily("bluelight_overdue", "Overdue alarms raised",
                                labels=["sender", "recipient", "stage"])
        for labels, value in list(self.overdue_total.items()):
            c.add_metric(labels, value)
        yield c
        for name, doc, table, names in [
            ("bluelight_store_seconds", "Submit to durable commit", self.store_seconds,
             ["sender"]),
            ("bluelight_deliver_seconds", "Submit to acknowledged by the recipient system",
             self.deliver_seconds, ["sender", "recipient"]),
            ("bluelight_decide_seconds", "Submit to the recipient operator's decision",
             self.decide_seconds, ["sender", "recipient", "decision"]),
        ]:
            h = HistogramMetricFamily(name, doc, labels=names)
            for labels, hist in list(table.items()):
                h.add_metric(list(labels), hist.buckets(), hist.sum)
            yield h
        for name, doc, hist in [
            ("bluelight_commit_batch_jobs", "Jobs per group commit", self.commit_batch),
            ("bluelight_commit_seconds", "Time to run and commit one batch",
             self.commit_seconds),
        ]:
            h = HistogramMetricFamily(name, doc)
            h.add_metric([], hist.buckets(), hist.sum)
            yield h
        yield GaugeMetricFamily("bluelight_stream_sessions", "Connected WebSocket sessions",
                                value=self.sessions)
        if self.store_health is not None:
            yield GaugeMetricFamily("bluelight_store_up", "1 when the store can write now",
                                    value=0 if self.store_health() else 1)
        if self.delivery_counters is not None:
            counts = self.delivery_counters()
            yield GaugeMetricFamily(
                "bluelight_delivery_backlog",
                "Entries committed here and waiting to be published to the other nodes",
                value=counts.pop("backlog", 0))
            c = CounterMetricFamily("bluelight_delivery", "Entries carried between hub nodes",
                                    labels=["event"])
            for event, value in counts.items():
                c.add_metric([event], value)
            yield c
