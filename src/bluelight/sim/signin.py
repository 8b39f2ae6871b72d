"""Sign-in flood benchmark: does guessing passwords slow every agency down?

A real hub process on loopback. One simulated CAD system polls its inbox with its bearer
token, one request at a time (a bounded number, paced), and the latencies are taken:
first with nothing else going on (the floor), then while a separate process floods the
console sign-in with wrong passwords from `clients` parallel connections for a bounded
time, each sending its next guess as soon as it has an answer:

- `flood`: every guess from one address, for one real username, as in issue 10. The
  throttle pauses them after a few guesses; what is left is refusals.
- `spread`: every guess for a made-up username from a made-up address (the hub trusts
  X-Forwarded-For from loopback in this run), as a botnet spraying names would. The
  throttle never engages, so this measures the hashing thread's isolation alone: it is
  kept busy for the whole flood and its queue overflows.

The floor is measured again at the end and both floor runs are pooled, so a figure is a
ratio against what the machine gave in the same run (it is shared and noisy)."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import httpx

from bluelight.hub.services.report import percentile
from bluelight.sim.hubprocess import HubProcess
from bluelight.sim.load import _cpu_seconds

PASSWORD = "the right password, for once"
USERNAME = "carys.morgan"
SETTLE_S = 2.0  # between phases: refusals still sleeping and queued checks finish


def _poll(url: str, token: str, count: int, interval: float, until: float | None
          ) -> tuple[list[float], int]:
    """Latencies (ms) of up to `count` inbox polls, one at a time, `interval` apart,
    stopping at `until` (monotonic) if given; and how many were not 200."""
    latencies, errors = [], 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                      timeout=30) as cad:
        for _ in range(count):
            if until is not None and time.monotonic() >= until:
                break
            started = time.perf_counter()
            status = cad.get("/v1/inbox", params={"limit": 10}).status_code
            latencies.append((time.perf_counter() - started) * 1000)
            errors += status != 200
            time.sleep(interval)
    return latencies, errors


def _flood(url: str, clients: int, seconds: float, spread: bool, seed: int) -> dict:
    """Run in its own process, so the flood's client work is not counted in the
    latencies measured in this one."""
    return asyncio.run(_flood_async(url, clients, seconds, spread, seed))


async def _flood_async(url: str, clients: int, seconds: float, spread: bool,
                       seed: int) -> dict:
    answers: Counter = Counter()
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds

    async def guesser(client: httpx.AsyncClient, n: int) -> None:
        while time.monotonic() < deadline:  # bounded by the flood's length
            username, headers = USERNAME, {}
            if spread:
                username = f"guess-{rng.getrandbits(40):010x}"
                headers["X-Forwarded-For"] = (f"10.{rng.randrange(256)}.{rng.randrange(256)}"
                                              f".{rng.randrange(1, 255)}")
            try:
                r = await client.post("/console/api/session", headers=headers, json={
                    "username": username, "password": f"wrong guess {n}"})
                answers[str(r.status_code)] += 1
            except httpx.HTTPError as exc:
                answers[type(exc).__name__] += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        await asyncio.gather(*(guesser(client, n) for n in range(clients)))
    return dict(answers)


def _figures(name: str, latencies: list[float], floor_p99: float | None) -> dict:
    p99 = percentile(latencies, 0.99)
    return {
        f"{name}_polls": len(latencies),
        f"{name}_p50_ms": percentile(latencies, 0.5),
        f"{name}_p99_ms": p99,
        f"{name}_max_ms": round(max(latencies), 3) if latencies else None,
        **({f"{name}_p99_ratio": round(p99 / floor_p99, 2) if p99 and floor_p99 else None}
           if floor_p99 is not None else {}),
    }


def _under_flood(hub: HubProcess, token: str, flooder: ProcessPoolExecutor, *,
                 spread: bool, clients: int, seconds: float, requests: int,
                 interval: float) -> tuple[list[float], int, dict, float]:
    """Polls while the flood runs (after a second for it to build up); the latencies,
    the polls that failed, the flood's answers and the hub's CPU seconds."""
    cpu = _cpu_seconds(hub.proc.pid)
    flood = flooder.submit(_flood, hub.url, clients, seconds, spread, 7 + spread)
    time.sleep(1.0)
    latencies, errors = _poll(hub.url, token, requests, interval,
                              until=time.monotonic() + seconds - 1.5)
    answers = flood.result(timeout=seconds + 60)
    cpu = _cpu_seconds(hub.proc.pid) - cpu
    time.sleep(SETTLE_S)
    return latencies, errors, answers, cpu


def run_signin(seconds: float = 15.0, clients: int = 16, requests: int = 600,
               interval: float = 0.01, refusal_delay: float | None = None) -> dict:
    with tempfile.TemporaryDirectory(prefix="bluelight-bench-signin-") as tmp:
        env = {"BLUELIGHT_TRUSTED_PROXIES": "127.0.0.1", "BLUELIGHT_ESCALATE_INTERVAL_S": "1.0"}
        if refusal_delay is not None:
            env["BLUELIGHT_SIGNIN_REFUSAL_DELAY_S"] = str(refusal_delay)
        hub = HubProcess(Path(tmp), env=env)
        token = hub.add_agency("uk.police.bench", "police")
        hub.add_operator(USERNAME, "uk.police.bench", "Sgt Carys Morgan", PASSWORD)
        hub.start()
        try:
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as flooder:
                flooder.submit(time.sleep, 0).result()  # start the process before timing
                floor, floor_errors = _poll(hub.url, token, requests, interval, None)
                flood = _under_flood(hub, token, flooder, spread=False, clients=clients,
                                     seconds=seconds, requests=requests, interval=interval)
                spread = _under_flood(hub, token, flooder, spread=True, clients=clients,
                                      seconds=seconds, requests=requests, interval=interval)
                floor_after, errors_after = _poll(hub.url, token, requests, interval, None)
        finally:
            hub.stop()
    floor += floor_after
    floor_p99 = percentile(floor, 0.99)
    result = {
        "benchmark": "signin",
        "flood_clients": clients,
        "flood_seconds": seconds,
        "poll_interval_s": interval,
        **_figures("quiet", floor, None),
        **_figures("flood", flood[0], floor_p99),
        "flood_answers": flood[2],
        "flood_hub_cpu_s": round(flood[3], 2),
        **_figures("spread", spread[0], floor_p99),
        "spread_answers": spread[2],
        "spread_hub_cpu_s": round(spread[3], 2),
        "poll_errors": floor_errors + errors_after + flood[1] + spread[1],
    }
    result["p99_ratio"] = result["flood_p99_ratio"]
    result["worst_p99_ratio"] = max(result["flood_p99_ratio"] or 0,
                                    result["spread_p99_ratio"] or 0)
    return result
