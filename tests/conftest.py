from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hubprocess import HubProcess, unique  # noqa: E402


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory):
    """A real PostgreSQL primary with a synchronous standby, for the session; each user
    makes a database of its own (`create_database`)."""
    from bluelight.hub.adapters.storage.pg_servers import PgCluster

    cluster = PgCluster(tmp_path_factory.mktemp("pg"))
    cluster.init()
    yield cluster
    cluster.remove()


@pytest.fixture
def nats_cluster(tmp_path):
    """A real 3-node NATS JetStream cluster on loopback, for one test."""
    from bluelight.hub.adapters.delivery.nats_servers import NatsCluster

    cluster = NatsCluster(tmp_path / "nats", size=3)
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_database(pg_cluster, request) -> str:
    """A fresh database on the session's cluster: its URL."""
    return pg_cluster.create_database(unique("t").replace("-", "_"))


# The use-case suites run against both stores: the embedded SQLite file, and PostgreSQL
# with a synchronous standby (issue 12).
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session", params=BACKENDS)
def hub(request, tmp_path_factory) -> HubProcess:
    """One real hub per store for the session; each test registers agencies of its own."""
    store = None
    if request.param == "postgresql":
        store = request.getfixturevalue("pg_cluster").create_database("session_hub")
    process = HubProcess(tmp_path_factory.mktemp("hub"), store=store).start()
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
