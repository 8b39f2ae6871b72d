"""`bluelight bench`: the benchmarks the checks run. Each prints one JSON object. They
drive a hub from outside, as its clients do, so they belong to the simulator rather than
to the hub's entry points."""

from __future__ import annotations

import json
from typing import Annotated

import typer

app = typer.Typer(help="Benchmarks on loopback (print JSON).", no_args_is_help=True)


def _emit(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")


@app.command()
def transfer(
    seconds: Annotated[float, typer.Option(help="Length of the offered load")] = 10.0,
    rate: Annotated[float, typer.Option(help="Offered transfers per second")] = 500.0,
    warmup: Annotated[float, typer.Option(help="Seconds excluded from the figures")] = 1.0,
    wal_max_bytes: Annotated[int | None, typer.Option(
        help="The hub's WAL bound (default: the wal_max_bytes setting; 0: none)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Hub + simulated senders and receivers: latency, throughput, loss, duplication, and
    the largest size the WAL reached beside its bound."""
    from bluelight.sim.load import run_transfer

    _emit(run_transfer(seconds, rate, warmup, wal_max_bytes), as_json)


@app.command("duplicate-keys")
def duplicate_keys(
    rounds: Annotated[int, typer.Option(help="Calls per timing (5 timings per body)")] = 2000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """The cost of refusing duplicate JSON keys, over msgspec's decode of the same body."""
    from bluelight.sim.jsonbench import run

    _emit(run(rounds), as_json)


@app.command()
def crash(
    kills: Annotated[int, typer.Option(help="How many times to SIGKILL the hub")] = 5,
    transfers: Annotated[int, typer.Option(help="How many transfers to send")] = 2000,
    rate: Annotated[float, typer.Option(help="Offered transfers per second")] = 400.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """SIGKILL the hub repeatedly under load; count lost and duplicated deliveries."""
    from bluelight.sim.load import run_crash

    result = run_crash(kills, transfers, rate)
    _emit(result, as_json)
    if result["lost"] or result["duplicated"]:
        raise typer.Exit(1)


@app.command()
def signin(
    seconds: Annotated[float, typer.Option(help="Length of each sign-in flood")] = 15.0,
    clients: Annotated[int, typer.Option(help="Parallel wrong-password clients")] = 16,
    requests: Annotated[int, typer.Option(help="Most inbox polls timed per phase")] = 600,
    interval: Annotated[float, typer.Option(help="Seconds between inbox polls")] = 0.01,
    refusal_delay: Annotated[float | None, typer.Option(
        help="The hub's signin_refusal_delay_s (default: the hub's default)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Bearer-token API latency, quiet and during sign-in floods (p99 ratio to quiet)."""
    from bluelight.sim.signin import run_signin

    _emit(run_signin(seconds, clients, requests, interval, refusal_delay), as_json)


@app.command()
def region(
    rooms: Annotated[int, typer.Option(help="Simulated control rooms (each sends to all)")] = 4,
    rate: Annotated[float, typer.Option(help="Offered transfers/s for the e2e latency")] = 100.0,
    seconds: Annotated[float, typer.Option(help="Length of the latency phase")] = 10.0,
    ramp: Annotated[str, typer.Option(
        help="Rates of the throughput ramp, comma-separated (stops at the first not "
             "sustained)")] = "50,100,150,200,350,500,700,1000,1400",
    step_seconds: Annotated[float, typer.Option(help="Length of each ramp step")] = 4.0,
    fault_rate: Annotated[float, typer.Option(help="Offered transfers/s during faults")] = 40.0,
    faults: Annotated[int, typer.Option(
        help="Faults of each kind (hub SIGKILL, NATS SIGKILL, hub SIGSTOP, PostgreSQL "
             "fail-over); the issue's record wants 20")] = 1,
    stop_seconds: Annotated[float, typer.Option(help="How long a SIGSTOPped node stays "
                                                     "frozen")] = 10.0,
    gap: Annotated[float, typer.Option(help="Seconds of load between two faults")] = 3.0,
    sqlite: Annotated[bool, typer.Option(help="Measure the single-node SQLite hub "
                                              "too")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """A 3-node region (PostgreSQL + standby, 3 NATS, HAProxy) beside the single-node
    SQLite hub: e2e latency at a fixed rate, the sustained throughput, then faults of
    every kind under load, with the history checker's counts and failover times. Exits
    1 if anything acknowledged was lost, duplicated or reordered."""
    from bluelight.sim.region_bench import run_region_bench
    from bluelight.sim.region_load import Plan

    plan = Plan(rooms=rooms, latency_rate=rate, latency_seconds=seconds,
                ramp=tuple(float(r) for r in ramp.split(",") if r.strip()),
                step_seconds=step_seconds, fault_rate=fault_rate, faults_per_kind=faults,
                stop_s=stop_seconds, fault_gap_s=gap, sqlite=sqlite)
    result = run_region_bench(plan)
    _emit(result, as_json)
    if result["lost"] or result["duplicated"] or result["reordered"]:
        raise typer.Exit(1)
