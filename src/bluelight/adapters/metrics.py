"""Prometheus metrics for the hub (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bluelight.domain.transfer import Transfer, TransferState

# Transfer times span milliseconds (machine) to minutes (a person deciding).
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 16, 30,
            60, 120, 240, 600)


class PrometheusMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._children: dict[tuple, object] = {}
        r = self.registry
        self.transfers = Counter(
            "bluelight_transfers", "Transfers reaching each state", ["sender", "recipient", "state"],
            registry=r,
        )
        self.store_seconds = Histogram(
            "bluelight_store_seconds", "Submit to durable commit", ["sender"], buckets=_BUCKETS,
            registry=r,
        )
        self.deliver_seconds = Histogram(
            "bluelight_deliver_seconds", "Submit to acknowledged by the recipient system",
            ["sender", "recipient"], buckets=_BUCKETS, registry=r,
        )
        self.decide_seconds = Histogram(
            "bluelight_decide_seconds", "Submit to the recipient operator's decision",
            ["sender", "recipient", "decision"], buckets=_BUCKETS, registry=r,
        )
        self.overdue_total = Counter(
            "bluelight_overdue", "Overdue alarms raised", ["sender", "recipient", "stage"],
            registry=r,
        )
        self.commit_batch = Histogram(
            "bluelight_commit_batch_jobs", "Jobs per group commit",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512), registry=r,
        )
        self.commit_seconds = Histogram(
            "bluelight_commit_seconds", "Time to run and commit one batch", buckets=_BUCKETS,
            registry=r,
        )
        self.sessions = Gauge(
            "bluelight_stream_sessions", "Connected WebSocket sessions", registry=r
        )

    def _child(self, metric, *labels: str):
        """labels() takes a lock and builds a key on every call; the hot path reuses."""
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def stored(self, sender: str, recipients: list[str], seconds: float) -> None:
        self._child(self.store_seconds, sender).observe(seconds)
        for recipient in recipients:
            self._child(self.transfers, sender, recipient, "stored").inc()

    def moved(self, t: Transfer) -> None:
        self._child(self.transfers, t.sender, t.recipient, t.state.value).inc()
        if t.state is TransferState.DELIVERED and t.delivered_at is not None:
            self._child(self.deliver_seconds, t.sender, t.recipient).observe(
                t.delivered_at - t.submitted_at
            )
        elif t.decided_at is not None:
            self._child(self.decide_seconds, t.sender, t.recipient, t.state.value).observe(
                t.decided_at - t.submitted_at
            )

    def overdue(self, t: Transfer, stage: str) -> None:
        self._child(self.overdue_total, t.sender, t.recipient, stage).inc()

    def batch(self, jobs: int, seconds: float) -> None:
        """Called from the writer thread; prometheus_client metrics are thread-safe."""
        self.commit_batch.observe(jobs)
        self.commit_seconds.observe(seconds)
