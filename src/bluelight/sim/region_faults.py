"""The faults `bluelight bench region` and the region's fault test inject under load
(issue 12): SIGKILL a hub node and restart it, SIGKILL a NATS node and restart it,
SIGSTOP a hub node then SIGCONT, PostgreSQL fail-over; and the failover times measured
on the streams that were connected to the failed node (see `sim.region_load`)."""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import signal
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from bluelight.sim.history import check
from bluelight.sim.region_load import FAULT_KINDS, Plan, Room, Traffic

# ---- faults -----------------------------------------------------------------------------


@dataclass
class Fault:
    kind: str
    target: str
    at: float  # perf_counter when it was injected
    reconnects_before: dict[str, int]
    affected: list[str] = field(default_factory=list)  # rooms whose stream was on the node
    took_s: float = 0.0
    error: str | None = None


def _sessions(front) -> dict[str, int]:
    """Each node's open sessions as HAProxy counts them (streams, mostly)."""
    import httpx

    r = httpx.get(f"{front.stats_url}/stats;csv", timeout=2)
    rows = csv.DictReader(io.StringIO(r.text.removeprefix("# ")))
    return {row["addr"]: int(row["scur"] or 0) for row in rows
            if row["pxname"] == "hubs" and row["svname"] not in ("FRONTEND", "BACKEND")}


def _busiest(region):
    """The hub node with the most open sessions: the one most streams are on."""
    sessions = _sessions(region.front)
    return max(region.nodes, key=lambda n: sessions.get(f"127.0.0.1:{n.port}", 0))


def inject(region, kind: str, round_: int, plan: Plan, traffic: Traffic) -> Fault:
    """One fault, blocking (run it in a thread); the node or server is back when it
    returns."""
    reconnects = {a: r.stream.reconnects for a, r in traffic.rooms.items()}
    started = time.perf_counter()
    if kind in ("hub_kill", "hub_stop"):
        node = _busiest(region)
        fault = Fault(kind, node.name, time.perf_counter(), reconnects)
        if kind == "hub_kill":
            region.signal_node(node, signal.SIGKILL)
            region.start_node(node)
        else:
            region.signal_node(node, signal.SIGSTOP)
            time.sleep(plan.stop_s)
            region.signal_node(node, signal.SIGCONT)
    elif kind == "nats_kill":
        node = region.nats.nodes[round_ % len(region.nats.nodes)]
        fault = Fault(kind, node.name, time.perf_counter(), reconnects)
        region.nats.kill(node, signal.SIGKILL)
        time.sleep(plan.nats_down_s)
        region.nats.start_node(node)
        region.nats.wait_ready()
    else:
        primary = region.pg.primary.name
        fault = Fault(kind, primary, time.perf_counter(), reconnects)
        region.pg.fail_over()
    fault.took_s = round(time.perf_counter() - started, 2)
    return fault


def _failover(fault: Fault, traffic: Traffic, until: float) -> tuple[float | None, float | None]:
    """(to the next receipt, to the next push). For a hub node's fault, in the rooms whose
    stream was on that node (the slowest of them): the receipt of a submission sent after
    the fault (so not one the node had answered just before), and any entry pushed. For
    a shared server's fault (NATS, PostgreSQL), the first receipt in any room of a
    submission sent after it. None: nothing to measure before the next fault."""
    def receipt(rooms: list[Room]) -> list[float | None]:
        return [next((at for at, sent in r.acks if sent > fault.at and at < until), None)
                for r in rooms]

    if fault.kind in ("hub_kill", "hub_stop"):
        rooms = [traffic.rooms[a] for a in fault.affected]
        if not rooms:
            return None, None
        pushes = [next((at for at in r.pushes if fault.at < at < until), None) for r in rooms]
        worst = lambda times: (None if any(t is None for t in times)  # noqa: E731
                               else round(max(times) - fault.at, 3))
        return worst(receipt(rooms)), worst(pushes)
    firsts = [t for t in receipt(list(traffic.rooms.values())) if t is not None]
    return (round(min(firsts) - fault.at, 3) if firsts else None), None


def _largest_gap(traffic: Traffic, start: float, end: float) -> float:
    """The longest time in [start, end] with no receipt in any room: how long the
    region stored nothing."""
    times = sorted(at for r in traffic.rooms.values() for at, _ in r.acks if start <= at <= end)
    edges = [start, *times, end]
    return round(max(b - a for a, b in itertools.pairwise(edges)), 3)


def _summary(values: list[float | None]) -> dict:
    got = [v for v in values if v is not None]
    return {"measured": len(got), "max": max(got) if got else None,
            "p50": round(statistics.median(got), 3) if got else None}


async def fault_phase(region, traffic: Traffic, plan: Plan) -> dict:
    """Continuous load at `fault_rate` with decisions, every fault kind `faults_per_kind`
    times in turn; then the drain, the checker, and a read of every mailbox (the sweep)."""
    traffic.decide = True
    stop = asyncio.Event()
    offering = asyncio.create_task(traffic.offer(plan.fault_rate, None, stop=stop,
                                                 silent_every=plan.silent_every))
    faults: list[Fault] = []
    started = time.perf_counter()
    await asyncio.sleep(plan.fault_gap_s)
    for round_ in range(plan.faults_per_kind):
        for kind in plan.kinds:
            try:
                fault = await asyncio.to_thread(inject, region, kind, round_, plan, traffic)
            except Exception as exc:  # the run goes on; the report says which fault failed
                fault = Fault(kind, "?", time.perf_counter(), {}, error=repr(exc)[:300])
            await asyncio.sleep(plan.fault_gap_s)
            fault.affected = [a for a, r in traffic.rooms.items()
                              if r.stream.reconnects > fault.reconnects_before.get(a, 1 << 30)]
            faults.append(fault)
    stop.set()
    offered = await offering
    load_end = time.perf_counter()
    load_s = load_end - started
    await traffic.settle(plan.give_up_s)
    # Long enough for the last silent transfer's alarm: its deadline, then the scan.
    deadline = time.perf_counter() + max(plan.drain_s, plan.silent_ack_deadline_s + 8)
    while traffic.waiting_for() and time.perf_counter() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # a repeat, or a second alarm, would come now: count it
    counts = check(traffic.history)
    reconnects = sum(r.stream.reconnects for r in traffic.rooms.values())
    came = await traffic.sweep()
    after = check(traffic.history)
    bounds = [f.at for f in faults[1:]] + [load_end]
    measured = {id(f): _failover(f, traffic, until)
                for f, until in zip(faults, bounds, strict=True)}
    failover = {}
    for kind in FAULT_KINDS:
        mine = [f for f in faults if f.kind == kind]
        failover[kind] = {"submit_s": _summary([measured[id(f)][0] for f in mine])}
        if kind in ("hub_kill", "hub_stop"):
            failover[kind]["push_s"] = _summary([measured[id(f)][1] for f in mine])
            failover[kind]["streams_moved"] = sum(len(f.affected) for f in mine)
    per_fault = [{"kind": f.kind, "target": f.target, "took_s": f.took_s,
                  "streams_moved": len(f.affected), "submit_s": measured[id(f)][0],
                  "push_s": measured[id(f)][1],
                  "no_receipt_s": _largest_gap(traffic, f.at, until)}
                 for f, until in zip(faults, bounds, strict=True)]
    kills = failover["hub_kill"]
    worst = [v for v in (kills["submit_s"]["max"], kills["push_s"]["max"]) if v is not None]
    every = [v for f in per_fault for v in (f["submit_s"], f["push_s"]) if v is not None]
    return {
        "fault_rate": plan.fault_rate,
        "load_s": round(load_s, 1),
        "offered": offered,
        "faults": {"count": len(faults)} | dict(Counter(f.kind for f in faults)),
        "fault_errors": [f"{f.kind}: {f.error}" for f in faults if f.error],
        "fault_took_s": {kind: _summary([f.took_s for f in faults if f.kind == kind])["max"]
                         for kind in FAULT_KINDS},
        "history": counts.as_dict(),
        # Counted again after reading every mailbox whole over HTTP (the sweep): the
        # entries the hub stored but the live streams never handed the application.
        "never_pushed_entries": came,
        "after_reading_mailboxes": {k: after.as_dict()[k] for k in (
            "lost", "decisions_lost", "alarms_missed", "alarms_doubled")},
        "failover_s": max(worst) if worst else None,
        # the slowest of every fault kind, SIGSTOP and PostgreSQL fail-over included
        "failover_worst_s": max(every) if every else None,
        "failover": failover,
        "attempt_failures": dict(traffic.failures),
        "per_fault": per_fault,
        "stream_reconnects": reconnects,
    }


