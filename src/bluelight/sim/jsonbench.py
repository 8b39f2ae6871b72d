"""`bench duplicate-keys`: what refusing duplicate JSON keys costs on every body.

The floor is msgspec's typed decode of the same body, which every body pays anyway,
timed in the same run; the figure to report is the check's time over the floor's."""

from __future__ import annotations

import json
import random
import time
import uuid

import msgspec

from bluelight.hub.domain.commands import SubmitIncident
from bluelight.kernel.json_keys import first_duplicate
from bluelight.sim.incidents import make_incident


def _body(rng: random.Random, notes_bytes: int) -> bytes:
    _, _, incident = make_incident(rng, f"BENCH-{rng.randrange(10**6)}")
    incident["notes"] = ("Caller on scene; details as given. " * 200)[:notes_bytes]
    return json.dumps({"message_id": str(uuid.UUID(int=rng.getrandbits(128))),
                       "recipients": ["uk.fire.bench", "uk.ambulance.bench"],
                       "incident": incident}).encode()


def _per_call_us(fn, raw: bytes, rounds: int) -> float:
    """The fastest of 5 timings of `rounds` calls, in microseconds per call: the least
    disturbed by other work on a shared machine."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            fn(raw)
        runs.append((time.perf_counter() - start) / rounds * 1e6)
    return min(runs)


def run(rounds: int = 2000) -> dict:
    """Bounded: 5 x `rounds` calls of each function on each of three bodies."""
    rng = random.Random(3)
    decode = msgspec.json.Decoder(SubmitIncident).decode
    pairs_hook = lambda raw: json.loads(raw, object_pairs_hook=list)  # noqa: E731
    result: dict = {"benchmark": "duplicate-keys", "rounds": rounds}
    for notes in (1000, 2500, 4000):
        raw = _body(rng, notes)
        decode(raw)  # it must be a valid body
        floor = _per_call_us(decode, raw, rounds)
        check = _per_call_us(first_duplicate, raw, rounds)
        hook = _per_call_us(pairs_hook, raw, rounds)
        size = f"{len(raw) // 100 / 10:g}kb"
        result |= {f"{size}_decode_us": round(floor, 2), f"{size}_check_us": round(check, 2),
                   f"{size}_check_over_decode": round(check / floor, 2),
                   f"{size}_pairs_hook_over_decode": round(hook / floor, 2)}
    return result
