"""Hub processes that know the same agencies, with the same tokens: each starts on a copy
of one database. They stand in for a region's nodes where the test is about reaching a
node (a proxy, a client's endpoint list), not about sharing a store: after the copy, each
keeps its own. A sender that wants a recipient to find the same entries at the same seqs
on every twin submits the same message to each (`mirror`)."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx

from hubprocess import HubProcess, unique


@dataclass
class Twins:
    hubs: list[HubProcess]
    police: tuple[str, str]  # agency id, token: the same on every hub
    fire: tuple[str, str]

    def stop(self) -> None:
        for hub in self.hubs:
            hub.stop()

    def mirror(self, incident: dict) -> list[int]:
        """Police sends `incident` to fire on every live twin with one message_id; the
        HTTP statuses, in hub order."""
        body = {"message_id": str(uuid.uuid4()), "recipients": [self.fire[0]],
                "incident": incident}
        statuses = []
        for hub in self.hubs:
            if hub.proc is not None and hub.proc.poll() is None:
                r = httpx.post(f"{hub.url}/v1/incidents", json=body, timeout=10,
                               headers={"Authorization": f"Bearer {self.police[1]}"})
                statuses.append(r.status_code)
        return statuses


def start_twins(root: Path, count: int = 2) -> Twins:
    first = HubProcess(root / "node1")
    first.data_dir.mkdir(parents=True)
    area = unique("area")
    police, fire = f"uk.police.{area}", f"uk.fire.{area}"
    police_token = first.add_agency(police, "police")
    fire_token = first.add_agency(fire, "fire")
    first.add_agreement(f"isa-{area}", [police, fire])
    hubs = [first]
    for i in range(2, count + 1):
        twin = HubProcess(root / f"node{i}")
        twin.data_dir.mkdir(parents=True)
        with closing(sqlite3.connect(first.db)) as source, \
                closing(sqlite3.connect(twin.db)) as copy:
            source.backup(copy)
        hubs.append(twin)
    twins = Twins(hubs, (police, police_token), (fire, fire_token))
    try:
        for hub in hubs:
            hub.start()
    except Exception:
        twins.stop()
        raise
    return twins
