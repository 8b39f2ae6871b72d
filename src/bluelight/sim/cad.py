"""A simulated control room's CAD system: sends incidents to partners and answers the
partners' incidents as a human operator would (after a pause; mostly accept, sometimes
reject with a reason, now and then forget to answer so the overdue alarm fires)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from bluelight.client import Client, body_of
from bluelight.hub.domain.transfer import EntryKind
from bluelight.sim.incidents import make_incident

SIM_PREFIX = "SIM-"  # references of simulated traffic
REJECT_REASONS = [
    "No resources available: all units committed",
    "Not our jurisdiction: pass to the neighbouring service",
    "Already attending: duplicate of our own incident",
    "Does not meet our attendance criteria",
]


@dataclass
class Behaviour:
    send_every_s: tuple[float, float] = (3.0, 8.0)
    decide_after_s: tuple[float, float] = (2.0, 9.0)
    reject_share: float = 0.15
    ignore_share: float = 0.08  # left unanswered: the sender's overdue alarm fires


class SimulatedCad:
    def __init__(self, agency_id: str, service: str, client: Client,
                 partners: dict[str, str], say: Callable[[str], None], rng: random.Random,
                 behaviour: Behaviour | None = None) -> None:
        self.agency_id, self.service, self.client = agency_id, service, client
        self.partners = partners  # service -> agency id
        self.say, self.rng = say, rng
        self.behaviour = behaviour or Behaviour()
        self.sent = 0
        self._submitted_at: dict[str, float] = {}
        self._operators: set[asyncio.Task] = set()

    async def run(self) -> None:
        try:
            async with self.client.stream() as stream:
                await asyncio.gather(self._send_loop(), self._receive_loop(stream))
        finally:
            for task in self._operators:
                task.cancel()

    async def _send_loop(self) -> None:
        while True:
            await asyncio.sleep(self.rng.uniform(*self.behaviour.send_every_s))
            self.sent += 1
            ref = f"{SIM_PREFIX}{self.service[:3].upper()}-{time.strftime('%H%M%S')}-{self.sent:03d}"
            _, dst, incident = make_incident(self.rng, ref, sender=self.service)
            if dst == self.service or dst not in self.partners:
                dst = self.rng.choice([p for p in self.partners if p != self.service])
            started = time.perf_counter()
            receipt = await self.client.submit([self.partners[dst]], incident)
            self._submitted_at[receipt.transfers[0].transfer_id] = time.time()
            withheld = receipt.transfers[0].withheld
            note = (f"  [magenta]withheld from {dst}:[/] "
                    f"{', '.join(f.split('.', 1)[1] for f in withheld)}" if withheld else "")
            self.say(f"[bold]{self.service:>10}[/] → {dst:<10} {incident['type']:<22} "
                     f"'{incident['summary']}'  [green]stored[/] in "
                     f"{(time.perf_counter() - started) * 1000:.0f} ms{note}")

    async def _receive_loop(self, stream) -> None:
        async for entry in stream:
            body = body_of(entry)
            if entry.kind is EntryKind.INCIDENT_NEW and body.incident.reference.startswith(
                    SIM_PREFIX):
                # Only simulated traffic: what a person sends from the console is left
                # for a person to answer.
                task = asyncio.create_task(self._operator(entry.transfer_id, body))
                self._operators.add(task)
                task.add_done_callback(self._operators.discard)
            elif entry.kind is EntryKind.TRANSFER_STATUS:
                waited = time.time() - self._submitted_at.get(entry.transfer_id, time.time())
                colour = {"delivered": "cyan", "accepted": "green", "rejected": "yellow"}.get(
                    body.state.value, "white")
                reason = f" ({body.reason})" if body.reason else ""
                self.say(f"{'':>10}   {self.service} ← {body.recipient.split('.')[1]:<10} "
                         f"{body.reference}: [{colour}]{body.state.value}[/]{reason} "
                         f"after {waited:.1f} s")
            elif entry.kind is EntryKind.TRANSFER_OVERDUE:
                self.say(f"[bold red]  !! {self.service}: {body.message}[/]")

    async def _operator(self, transfer_id: str, offer) -> None:
        try:
            await self._decide(transfer_id)
        except Exception as exc:  # shown, not swallowed: the demo is for watching
            self.say(f"[red]{self.service}: could not answer {transfer_id}: {exc}[/]")

    async def _decide(self, transfer_id: str) -> None:
        b = self.behaviour
        roll = self.rng.random()
        if roll < b.ignore_share:
            return  # the operator is busy: nobody answers
        await asyncio.sleep(self.rng.uniform(*b.decide_after_s))
        if roll < b.ignore_share + b.reject_share:
            await self.client.reject(transfer_id, self.rng.choice(REJECT_REASONS),
                                     operator=f"{self.service} operator")
        else:
            await self.client.accept(transfer_id, operator=f"{self.service} operator")
