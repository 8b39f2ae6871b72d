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
