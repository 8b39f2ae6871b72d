"""Load and crash benchmarks: a real hub process, simulated CAD systems on loopback.

`transfer`: each simulated control room keeps one WebSocket to the hub (as a CAD gateway
would), submits incidents to its partners at an offered rate (open loop) and
acknowledges what it receives. Measures submit -> recipient push latency, throughput,
loss and duplication, beside a floor: a raw SQLite synchronous=FULL single-row commit
timed in the same run on the same disk.

`crash`: the same traffic while the hub is SIGKILLed and restarted K times. Proves that
every message the hub acknowledged ("stored") reaches each recipient application exactly
once."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import random
import sqlite3
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from bluelight.client import Client
from bluelight.hub.domain.transfer import EntryKind
from bluelight.hub.services.report import percentile
from bluelight.sim.hubprocess import HubProcess
from bluelight.sim.incidents import make_incident

SERVICES = ("police", "fire", "ambulance")


class _Ref(msgspec.Struct):
    reference: str


class _OfferRef(msgspec.Struct):
    incident: _Ref


_offer_ref = msgspec.json.Decoder(_OfferRef).decode


def _cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU of a process (or one of its threads), from /proc (Linux)."""
    path = f"/proc/{pid}/task/{tid}/stat" if tid else f"/proc/{pid}/stat"
    fields = Path(path).read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _hub_figures(url: str) -> dict:
    """The hub's own view, from its Prometheus metrics: how commits were batched and how
    long a submission took to become durable."""
    import httpx
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{url}/metrics", timeout=5).text
    samples = {}
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == "bluelight_store_seconds_bucket":
                le = float(s.labels["le"])
                buckets[le] = buckets.get(le, 0) + s.value
            else:
                samples[s.name] = samples.get(s.name, 0) + s.value

    def bucket_quantile(q: float) -> float | None:
        total = buckets.get(float("inf"), 0)
        for le in sorted(buckets):
            if total and buckets[le] >= q * total:
                return le * 1000
        return None

    batches = samples.get("bluelight_commit_batch_jobs_count", 0)
    return {
        "hub_commits": int(batches),
        "hub_jobs_per_commit": round(samples.get("bluelight_commit_batch_jobs_sum", 0)
                                     / batches, 1) if batches else None,
        "hub_commit_mean_ms": round(samples.get("bluelight_commit_seconds_sum", 0)
                                    / batches * 1000, 3) if batches else None,
        "hub_store_p50_ms_le": bucket_quantile(0.5),
        "hub_store_p99_ms_le": bucket_quantile(0.99),
    }


def floor_commit_ms(directory: Path, commits: int = 400) -> dict[str, float]:
    """Raw SQLite WAL synchronous=FULL single-row commits: the cost of durability alone."""
    path = directory / "floor.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB)")
    times = []
    payload = os.urandom(600)
    for _ in range(commits):
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO t (v) VALUES (?)", (payload,))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return {"p50": percentile(times, 0.5), "p99": percentile(times, 0.99)}


@dataclass
class Ledger:
    """What each side saw, keyed by incident reference."""

    sent_at: dict[str, float] = field(default_factory=dict)
    acknowledged: set[str] = field(default_factory=set)
    received: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    measure_from: float = 0.0
    first_received: dict[str, float] = field(default_factory=dict)
    submit_errors: Counter = field(default_factory=Counter)


def _start_hub(directory: Path, port: int | None = None, env: dict[str, str] | None = None
               ) -> tuple[HubProcess, dict[str, tuple[str, str]]]:
    hub = HubProcess(directory, env={"BLUELIGHT_LOG_LEVEL": "warning",
                                     "BLUELIGHT_ESCALATE_INTERVAL_S": "1.0"} | (env or {}))
    if port:
        hub.port = port
    agencies = {}
    for service in SERVICES:
        agency_id = f"uk.{service}.bench"
        agencies[service] = (agency_id, hub.add_agency(agency_id, service,
                                                       ack_deadline_s=600, decision_deadline_s=600))
    # Every class shared: the bench measures the path that carries the most.
    hub.add_agreement("isa-bench", [agency_id for agency_id, _ in agencies.values()])
    return hub.start(), agencies


async def _receive(stream, ledger: Ledger) -> None:
    async for entry in stream:
        if entry.kind is not EntryKind.INCIDENT_NEW:
            continue
        now = time.perf_counter()
        ref = _offer_ref(entry.body).incident.reference
        ledger.received[ref] += 1
        if ref not in ledger.first_received:
            ledger.first_received[ref] = now
            sent = ledger.sent_at.get(ref)
            if sent is not None and sent >= ledger.measure_from:
                ledger.latencies_ms.append((now - sent) * 1000)


def _submit(stream, recipient: str, incident: dict, ledger: Ledger, timeout: float
            ) -> asyncio.Future:
    ref = incident["reference"]
    ledger.sent_at[ref] = time.perf_counter()
    future = stream.submit_nowait([recipient], incident, message_id=uuid.uuid4(),
                                  timeout=timeout)

    def settled(f: asyncio.Future) -> None:
        if f.exception() is not None:  # counted, never hidden
            ledger.submit_errors[type(f.exception()).__name__] += 1
        elif f.result().status == "stored":
            ledger.acknowledged.add(ref)

    future.add_done_callback(settled)
    return future


async def _drain(ledger: Ledger, timeout: float) -> None:
    """Until every acknowledged incident has reached its recipient, or the timeout."""
    deadline = time.monotonic() + timeout
    while not ledger.acknowledged <= ledger.first_received.keys():
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.02)


async def _offer_load(streams, agencies, ledger: Ledger, rate: float, seconds: float,
                      max_in_flight: int, timeout: float, rng: random.Random) -> int:
    """Open loop: send what the clock says is due, whatever the hub's answers."""
    pairs = [(s, d) for s in SERVICES for d in SERVICES if s != d]
    counter = itertools.count()
    tasks: set[asyncio.Future] = set()
    start = time.perf_counter()
    sent = 0
    total = round(rate * seconds)
    while sent < total:
        elapsed = time.perf_counter() - start
        due = min(total, int(elapsed * rate) + 1) - sent
        for _ in range(max(0, due)):
            if len(tasks) >= max_in_flight:
                break
            src, dst = pairs[next(counter) % len(pairs)]
            _, _, incident = make_incident(rng, f"B{next(counter)}-{uuid.uuid4().hex[:8]}")
            future = _submit(streams[src], agencies[dst][0], incident, ledger, timeout)
            tasks.add(future)
            future.add_done_callback(tasks.discard)
            sent += 1
        await asyncio.sleep(0.001)
    if tasks:
        await asyncio.wait(tasks, timeout=timeout + 5)
    return sent


@contextlib.asynccontextmanager
async def _control_rooms(hub: HubProcess, agencies: dict, ledger: Ledger):
    """One SDK stream per simulated control room, each with a task receiving into the
    ledger; closed, with their clients, on exit."""
    clients = {s: Client(hub.url, agencies[s][1]) for s in SERVICES}
    try:
        async with contextlib.AsyncExitStack() as stack:
            streams = {s: await stack.enter_async_context(clients[s].stream())
                       for s in SERVICES}
            receivers = [asyncio.create_task(_receive(streams[s], ledger)) for s in SERVICES]
            try:
                yield streams
            finally:
                for task in receivers:
                    task.cancel()
    finally:
        for client in clients.values():
            await client.aclose()


class _WalWatch:
    """The largest size the hub's WAL file reached, sampled every `interval` seconds
    from outside the hub (a peak shorter than that can be missed)."""

    def __init__(self, db: Path, interval: float = 0.05) -> None:
        self.wal, self.interval, self.peak = Path(f"{db}-wal"), interval, 0

    async def run(self) -> None:
        while True:
            with contextlib.suppress(FileNotFoundError):
                self.peak = max(self.peak, self.wal.stat().st_size)
            await asyncio.sleep(self.interval)


def _wal_bound(wal_max_bytes: int | None) -> int:
    from bluelight.kernel.settings import Settings

    if wal_max_bytes is not None:
        return wal_max_bytes
    return int(os.environ.get("BLUELIGHT_WAL_MAX_BYTES", Settings().wal_max_bytes))


async def _run_transfer(seconds: float, rate: float, warmup: float, directory: Path,
                        wal_max_bytes: int | None = None) -> dict:
    floor = floor_commit_ms(directory)
    bound = _wal_bound(wal_max_bytes)
    hub, agencies = _start_hub(directory, env={"BLUELIGHT_WAL_MAX_BYTES": str(bound)})
    ledger = Ledger()
    rng = random.Random(7)
    wal = _WalWatch(hub.db)
    watcher = asyncio.create_task(wal.run())
    try:
        async with _control_rooms(hub, agencies, ledger) as streams:
            for s in streams.values():
                await s.wait_live()
            ledger.measure_from = time.perf_counter() + warmup
            started = time.perf_counter()
            hub_cpu_start = _cpu_seconds(hub.proc.pid)
            hub_loop_cpu_start = _cpu_seconds(hub.proc.pid, hub.proc.pid)
            client_cpu_start = time.process_time()
            offered = await _offer_load(streams, agencies, ledger, rate, seconds,
                                        max_in_flight=int(rate * 2) + 100, timeout=30, rng=rng)
            await _drain(ledger, 15)
            elapsed = time.perf_counter() - started
            window = [t for r, t in ledger.first_received.items()
                      if ledger.sent_at.get(r, 0) >= ledger.measure_from]
            measured = (max(window) - ledger.measure_from) if window else 0
            hub_figures = _hub_figures(hub.url)
            hub_cpu = _cpu_seconds(hub.proc.pid) - hub_cpu_start
            hub_loop_cpu = _cpu_seconds(hub.proc.pid, hub.proc.pid) - hub_loop_cpu_start
            client_cpu = time.process_time() - client_cpu_start
    finally:
        watcher.cancel()
        hub.stop()
    lost = len(ledger.acknowledged - set(ledger.first_received))
    duplicated = sum(n - 1 for n in ledger.received.values() if n > 1)
    e2e_p99 = percentile(ledger.latencies_ms, 0.99)
    return {
        "benchmark": "transfer",
        "seconds": seconds,
        "offered_rate": rate,
        "offered": offered,
        "acknowledged": len(ledger.acknowledged),
        "delivered": len(ledger.first_received),
        "throughput_per_s": round(len(window) / measured, 1) if measured else 0.0,
        "e2e_p50_ms": percentile(ledger.latencies_ms, 0.5),
        "e2e_p90_ms": percentile(ledger.latencies_ms, 0.9),
        "e2e_p99_ms": e2e_p99,
        "e2e_max_ms": round(max(ledger.latencies_ms), 3) if ledger.latencies_ms else None,
        "lost": lost,
        "duplicated": duplicated,
        "submit_errors": dict(ledger.submit_errors),
        "floor_commit_p50_ms": floor["p50"],
        "floor_commit_p99_ms": floor["p99"],
        "e2e_p99_over_floor_p99": round(e2e_p99 / floor["p99"], 1) if e2e_p99 else None,
        "elapsed_s": round(elapsed, 2),
        "hub_cpu_s": round(hub_cpu, 2),
        "hub_event_loop_cpu_s": round(hub_loop_cpu, 2),
        "client_cpu_s": round(client_cpu, 2),
        "cpu_cores": os.cpu_count(),
        "wal_bound_bytes": bound,
        "wal_peak_bytes": wal.peak,
        "wal_peak_over_bound": round(wal.peak / bound, 2) if bound else None,
        "db_bytes": hub.db.stat().st_size,
        **hub_figures,
    }


def run_transfer(seconds: float, rate: float, warmup: float = 1.0,
                 wal_max_bytes: int | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bluelight-bench-") as tmp:
        return _run(_run_transfer(seconds, rate, warmup, Path(tmp), wal_max_bytes))


async def _killer(hub: HubProcess, kills: int, window: float, rng: random.Random) -> int:
    done = 0
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(0.2, max(0.3, window / kills)))
        await asyncio.to_thread(hub.kill)
        done += 1
        await asyncio.to_thread(hub.start)
    return done


async def _run_crash(kills: int, transfers: int, rate: float, directory: Path) -> dict:
    hub, agencies = _start_hub(directory)
    ledger = Ledger()
    rng = random.Random(11)
    try:
        async with _control_rooms(hub, agencies, ledger) as streams:
            seconds = transfers / rate
            killer = asyncio.create_task(_killer(hub, kills, seconds, rng))
            offered = await _offer_load(streams, agencies, ledger, rate, seconds,
                                        max_in_flight=transfers, timeout=120, rng=rng)
            killed = await killer
            await _drain(ledger, 60)
            await asyncio.sleep(0.5)  # let any repeat arrive, so it would be counted
            reconnects = sum(s.reconnects for s in streams.values())
    finally:
        hub.stop()
    delivered = ledger.acknowledged & set(ledger.first_received)
    return {
        "benchmark": "crash",
        "kills": killed,
        "offered": offered,
        "acknowledged": len(ledger.acknowledged),
        "delivered": len(delivered),
        "lost": len(ledger.acknowledged - delivered),
        "duplicated": sum(n - 1 for n in ledger.received.values() if n > 1),
        "unacknowledged_but_delivered": len(set(ledger.first_received) - ledger.acknowledged),
        "submit_errors": dict(ledger.submit_errors),
        "stream_reconnects": reconnects,
    }


def run_crash(kills: int, transfers: int, rate: float = 400.0) -> dict:
    with tempfile.TemporaryDirectory(prefix="bluelight-crash-") as tmp:
        return _run(_run_crash(kills, transfers, rate, Path(tmp)))


def _run(coro):
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(coro)
