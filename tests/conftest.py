from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hubprocess import HubProcess, unique  # noqa: E402


@pytest.fixture(scope="session")
def hub(tmp_path_factory) -> HubProcess:
    """One real hub for the session; each test registers agencies of its own."""
    process = HubProcess(tmp_path_factory.mktemp("hub")).start()
    yield process
    process.stop()


@dataclass
class Party:
    id: str
    token: str


@dataclass
class Region:
    """Agencies of one test's own region: nobody else's traffic is in their mailboxes."""

    police: Party
    fire: Party
    ambulance: Party
    coastguard: Party


@pytest.fixture
def region(hub: HubProcess) -> Region:
    area = unique("area")
    parties = {}
    for service, phone in [("police", "01656 655555"), ("fire", "01443 232000"),
                           ("ambulance", "01792 562900"), ("coastguard", "01646 690909")]:
        agency_id = f"uk.{service}.{area}"
        parties[service] = Party(agency_id, hub.add_agency(agency_id, service, phone=phone,
                                                           name=f"{area} {service}"))
    # The region's services share everything, as under a regional information sharing
    # agreement; the sharing tests build regions without one.
    hub.add_agreement(f"isa-{area}", [p.id for p in parties.values()])
    return Region(**parties)
