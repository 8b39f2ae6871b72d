"""The runs of `bluelight bench region` and of the region's fault test: the single-node
SQLite hub and a whole region on loopback, measured with `sim.region_load`'s control rooms
in the same run, faults injected by `sim.region_faults`."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bluelight.sim.region_faults import fault_phase
from bluelight.sim.region_load import FAULT_KINDS, Parties, Plan, Traffic, enrol

# ---- the runs ---------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _measured(url: str, parties: Parties, plan: Plan) -> tuple[Traffic, dict]:
    traffic = Traffic(url, parties, plan)
    await traffic.open()
    at100 = await traffic.measure(plan.latency_rate, plan.latency_seconds, plan.warmup_s,
                                  drain_s=10.0)
    await traffic.settle(10)
    ramp = (await traffic.ramp(plan.ramp, plan.step_seconds, plan.step_drain_s)
            if plan.ramp else {"throughput_per_s": None, "steps": []})
    await traffic.settle(15)
    return traffic, {"at_rate": at100, **ramp}


async def _sqlite_side(directory: Path, plan: Plan) -> dict:
    from bluelight.sim.hubprocess import HubProcess
    from bluelight.sim.load import floor_commit_ms

    floor = floor_commit_ms(directory)
    hub = HubProcess(directory / "sqlite", env={"BLUELIGHT_LOG_LEVEL": "warning",
                                                "BLUELIGHT_ESCALATE_INTERVAL_S": "1.0"})
    hub.data_dir.mkdir(parents=True, exist_ok=True)
    parties = enrol(hub.transaction, plan.rooms, plan.silent_ack_deadline_s)
    await asyncio.to_thread(hub.start)
    try:
        cpu = _cpu_seconds(hub.proc.pid)
        traffic, figures = await _measured(hub.url, parties, plan)
        await traffic.close()
        figures["hub_cpu_s"] = round(_cpu_seconds(hub.proc.pid) - cpu, 1)
    finally:
        hub.stop()
    return figures | {"floor_commit_p50_ms": floor["p50"], "floor_commit_p99_ms": floor["p99"]}


async def _region_side(directory: Path, plan: Plan) -> dict:
    from bluelight.bootstrap import hub_transaction
    from bluelight.sim.region import LocalRegion

    region = LocalRegion(directory / "region",
                         env={"BLUELIGHT_ESCALATE_INTERVAL_S": "1.0"})
    started = time.perf_counter()
    try:
        await asyncio.to_thread(region.up)
        up_s = time.perf_counter() - started
        parties = enrol(hub_transaction(region.pg.dsn), plan.rooms, plan.silent_ack_deadline_s)
        if plan.latency_seconds:
            traffic, figures = await _measured(region.url, parties, plan)
        else:
            traffic, figures = Traffic(region.url, parties, plan), {}
            await traffic.open()
        try:
            if plan.faults:
                figures["fault_phase"] = await fault_phase(region, traffic, plan)
        finally:
            await traffic.close()
        figures["up_s"] = round(up_s, 1)
        return figures
    finally:
        await asyncio.to_thread(region.down)
        if region.pg is not None:
            await asyncio.to_thread(region.pg.remove)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


async def _run_bench(plan: Plan, directory: Path) -> dict:
    started = time.perf_counter()
    cpu = time.process_time()
    sqlite = await _sqlite_side(directory, plan) if plan.sqlite else {}
    region = await _region_side(directory, plan) if plan.region else {}
    at = region.get("at_rate", {})
    faults = region.get("fault_phase", {})
    history = faults.get("history", {})
    s_at = sqlite.get("at_rate", {})
    result = {
        "benchmark": "region",
        "date": datetime.now(UTC).date().isoformat(),
        "cpu_cores": os.cpu_count(),
        "setting": "3 hub nodes, 3 NATS (JetStream R3), PostgreSQL primary + synchronous "
                   "standby, HAProxy; every process on this machine, all on loopback",
        "rooms": plan.rooms,
        "throughput_per_s": region.get("throughput_per_s"),
        "e2e_rate_per_s": plan.latency_rate,
        "e2e_p50_ms": at.get("e2e_p50_ms"),
        "e2e_p99_ms": at.get("e2e_p99_ms"),
        "e2e_at_max_p50_ms": region.get("e2e_at_max_p50_ms"),
        "e2e_at_max_p99_ms": region.get("e2e_at_max_p99_ms"),
        "faults": faults.get("faults", {"count": 0}),
        "acknowledged": history.get("acknowledged"),
        "lost": history.get("lost"),
        "duplicated": history.get("duplicated"),
        "reordered": history.get("reordered"),
        "decisions_lost": history.get("decisions_lost"),
        "alarms_missed": history.get("alarms_missed"),
        "alarms_doubled": history.get("alarms_doubled"),
        "failover_s": faults.get("failover_s"),
        "failover_worst_s": faults.get("failover_worst_s"),
        "sqlite_throughput_per_s": sqlite.get("throughput_per_s"),
        "sqlite_e2e_p50_ms": s_at.get("e2e_p50_ms"),
        "sqlite_e2e_p99_ms": s_at.get("e2e_p99_ms"),
        "sqlite_e2e_at_max_p99_ms": sqlite.get("e2e_at_max_p99_ms"),
        "floor_commit_p99_ms": sqlite.get("floor_commit_p99_ms"),
        "throughput_region_over_sqlite": _ratio(region.get("throughput_per_s"),
                                                sqlite.get("throughput_per_s")),
        "e2e_p99_region_over_sqlite": _ratio(at.get("e2e_p99_ms"), s_at.get("e2e_p99_ms")),
        "e2e_p99_over_floor_p99": _ratio(at.get("e2e_p99_ms"),
                                         sqlite.get("floor_commit_p99_ms")),
    }
    kinds = faults.get("faults", {})
    result["targets_met"] = {
        "e2e_p99_at_100_le_50ms": bool(at.get("e2e_p99_ms")) and at["e2e_p99_ms"] <= 50,
        "throughput_ge_500": (result["throughput_per_s"] or 0) >= 500,
        "failover_le_5s": result["failover_worst_s"] is not None
                          and result["failover_worst_s"] <= 5,
        "zero_lost_dup_reordered": bool(history) and not (
            history["lost"] or history["duplicated"] or history["reordered"]),
        "faults_ge_20_each": all(kinds.get(k, 0) >= 20 for k in FAULT_KINDS),
    }
    result["region"] = region
    result["sqlite"] = sqlite
    result["elapsed_s"] = round(time.perf_counter() - started, 1)
    result["client_cpu_s"] = round(time.process_time() - cpu, 1)
    return result


def run_region_bench(plan: Plan | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bluelight-bench-region-") as tmp:
        return _run(_run_bench(plan or Plan(), Path(tmp)))


def run_fault_test(plan: Plan, directory: Path) -> dict:
    """The region alone under load and faults, no latency or ramp phase: the fault
    phase's report (for tests/integration/test_region_faults.py)."""
    plan.sqlite, plan.latency_seconds, plan.ramp = False, 0, ()
    return _run(_region_side(directory, plan))["fault_phase"]


def _run(coro):
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.run(coro)


__all__ = ["run_fault_test", "run_region_bench"]
