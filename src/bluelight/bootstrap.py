"""The composition root: the one place that picks adapters and wires them together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bluelight.hub.adapters.codecs.translator import CodecTranslator
from bluelight.hub.adapters.delivery.inprocess import InProcessDelivery
from bluelight.hub.adapters.delivery.jetstream import JetStreamDelivery
from bluelight.hub.adapters.gazetteer.sqlite_gazetteer import SqliteGazetteer
from bluelight.hub.adapters.geodesy import ProjGeodesy
from bluelight.hub.adapters.jws import PyJwtJose
from bluelight.hub.adapters.metrics import PrometheusMetrics
from bluelight.hub.adapters.pki import ClientCertificates
from bluelight.hub.adapters.storage import migrate
from bluelight.hub.adapters.storage.pg_store import PgStore
from bluelight.hub.adapters.storage.sqlite_store import SqliteStore
from bluelight.hub.domain.transfer import Transfer
from bluelight.hub.services import report
from bluelight.hub.services.admin import Admin
from bluelight.hub.services.hub import Hub
from bluelight.hub.services.ports import Delivery
from bluelight.hub.services.ports import Repository as HubRepository
from bluelight.kernel.settings import ConfigError, Settings, redact
from bluelight.wire.stats import Stats
from bluelight.workbench.adapters import assessment_import, estates_csv, radar_svg
from bluelight.workbench.adapters import migrate as workbench_migrate
from bluelight.workbench.adapters.seeds import SeedFolder
from bluelight.workbench.adapters.unit_of_work import SqliteUnitOfWork
from bluelight.workbench.services.ports import HubFigures
from bluelight.workbench.services.workbench import Formats, Workbench

R = TypeVar("R")

if TYPE_CHECKING:
    from bluelight.hub.adapters.gazetteer.files import GazetteerFiles
    from bluelight.hub.adapters.key_pairs import JwsKeyPairs
    from bluelight.hub.entrypoints.cli_root import DevelopmentPki


@dataclass
class Runtime:
    settings: Settings
    hub: Hub
    store: SqliteStore | PgStore
    delivery: Delivery | JetStreamDelivery
    metrics: PrometheusMetrics
    workbench: Workbench
    admin: Admin  # the hub operator's use cases, on the hub's store
    # Agencies' client certificates and the revoked-serials file (tls_revoked).
    certificates: ClientCertificates

    async def start(self) -> None:
        """Open what the server runs on (inside its event loop): the store's writer, then
        the link to the other nodes of a cluster."""
        self.store.start()
        if isinstance(self.delivery, JetStreamDelivery):
            await self.delivery.start(self.settings.nats_urls, self.settings.node)

    async def stop(self) -> None:
        if isinstance(self.delivery, JetStreamDelivery):
            await self.delivery.stop()
        await self.store.stop()


def build(settings: Settings) -> Runtime:
    """Migrate the database and assemble the hub. The store's writer starts with the
    event loop (see `entrypoints.app`)."""
    metrics = PrometheusMetrics()
    delivery: Delivery | JetStreamDelivery = InProcessDelivery()
    store: SqliteStore | PgStore
    if settings.store is not None:  # a node of a regional cluster
        _migrate_cluster(settings.store)
        store = PgStore(settings.store, on_batch=metrics.batch)
        if settings.nats_urls:
            _reach_nats(settings.nats_urls)
            delivery = JetStreamDelivery()
            metrics.delivery_counters = delivery.counters
    else:
        migrate.upgrade(settings.db)
        store = SqliteStore(settings.db, on_batch=metrics.batch,
                            wal_max_bytes=settings.wal_max_bytes)
    metrics.store_health = store.health
    hub = Hub(
        store,
        SqliteGazetteer(settings.gazetteer),
        ProjGeodesy(),
        settings.policy,
        metrics,
        jose=PyJwtJose(),
        delivery=delivery,
        node=settings.node,
        translator=CodecTranslator({
            "eido": Path(settings.eido_schema_dir) if settings.eido_schema_dir else None,
            "edxl-de": (Path(settings.edxl_de_schema_dir) if settings.edxl_de_schema_dir
                        else None),
        }),
    )
    # The hub is the workbench's `HubFigures`: it has the port's `stats` as it stands.
    return Runtime(settings, hub, store, delivery, metrics, workbench(settings, hub),
                   Admin(store, settings.policy),
                   # Only with TLS does a connection carry a certificate to check.
                   ClientCertificates(settings.tls_revoked if settings.tls else None))


def _migrate_cluster(url: str) -> None:
    """Bring the cluster's database up to date; one clear line if it cannot be reached."""
    try:
        migrate.upgrade(url)
    except Exception as exc:  # psycopg's, wrapped by SQLAlchemy: say which setting
        cause = exc.__cause__ or exc.__context__ or exc
        reason = (str(getattr(cause, "orig", None) or cause).strip().splitlines()
                  or [type(cause).__name__])[0]
        raise ConfigError(f"store: cannot use the PostgreSQL database at {redact(url)}: "
                          f"{reason}") from None


def _reach_nats(urls: list[str]) -> None:
    """At least one NATS server must answer when a node starts (a typo in `delivery`
    should stop it with one line). Once running, the node rides out NATS outages."""
    import socket
    from urllib.parse import urlsplit

    for url in urls:
        parts = urlsplit(url)
        try:
            socket.create_connection((parts.hostname, parts.port or 4222), timeout=2).close()
            return
        except OSError:
            continue
    raise ConfigError(f"delivery: no NATS server answers at {', '.join(urls)}")


# ---- the collaboration workbench ------------------------------------------------------


def workbench_formats() -> Formats:
    """The workbench's file formats (modules that fit their ports as they are)."""
    return Formats(estates_csv=estates_csv, assessment_files=assessment_import,
                   seeds=SeedFolder(), radar=radar_svg)


def workbench(settings: Settings, hub_figures: HubFigures | None) -> Workbench:
    """Migrate the workbench database (its own file, apart from the hub's) and assemble
    the workbench over it. `hub_figures` None: no live benefits."""
    workbench_migrate.upgrade(settings.workbench)
    return Workbench.build(SqliteUnitOfWork(settings.workbench), ProjGeodesy(), hub_figures,
                           workbench_formats())


class HubDatabaseFigures:
    """`HubFigures` with no hub running in this process (the command line): the figures
    computed from the hub's database file, as `Hub.stats` computes them. It reads in its
    own short transaction; blocking the event loop is fine where nothing else runs."""

    def __init__(self, db: Path | str, phone_baseline_s: float) -> None:
        self.db = db
        self.phone_baseline_s = phone_baseline_s

    async def stats(self, agency: str | None, since: float | None = None) -> Stats:
        def job(repo: HubRepository) -> list[Transfer]:
            ts = repo.transfers_since(since)
            return ts if agency is None else [t for t in ts if t.party(agency)]

        return report.stats(hub_transaction(self.db)(job), self.phone_baseline_s)


def command_line_workbench(settings: Settings) -> Workbench:
    """The workbench for one command. It reads the hub's figures from the hub's database
    when there is one here; otherwise the register shows no live figures (a workbench
    may run on a machine with no hub)."""
    figures = (HubDatabaseFigures(settings.store or settings.db, settings.phone_baseline_s)
               if settings.store or settings.db.exists() else None)
    return workbench(settings, figures)


# ---- the hub's command line ---------------------------------------------------------


# What the command line's hub commands ask for (`hub.entrypoints.cli_root.Composition`;
# `bluelight.cli` installs this module as theirs). Each adapter is imported when a
# command first asks for it: the server never loads them.
def admin(settings: Settings) -> Admin:
    """The hub operator's use cases on the hub's database (migrated first), each job in a
    transaction of its own: for a command, whether or not a hub is running on it."""
    from bluelight.hub.adapters.storage.direct_store import DirectStore

    target = settings.store or settings.db
    migrate.upgrade(target)
    return Admin(DirectStore(hub_transaction(target)), settings.policy)


def hub_transaction(target: Path | str) -> Callable[[Callable[[HubRepository], R]], R]:
    """Runs one job in a transaction of its own on the hub's database: the SQLite file,
    or the cluster's PostgreSQL (a URL). For commands, tests and tools, beside a running
    hub or none."""
    if isinstance(target, str):
        from bluelight.hub.adapters.storage import pg_store

        return partial(pg_store.transaction, target)
    from bluelight.hub.adapters.storage import sqlite_store

    return partial(sqlite_store.transaction, target)


def codecs() -> CodecTranslator:
    # Structural checks only: validating against the official schemas is set up for the
    # server (eido_schema_dir, edxl_de_schema_dir), not for `bluelight convert`.
    return CodecTranslator()


def key_pairs() -> JwsKeyPairs:
    from bluelight.hub.adapters.key_pairs import JwsKeyPairs

    return JwsKeyPairs()


def pki() -> DevelopmentPki:
    from bluelight.hub.adapters import pki as development_pki

    return development_pki  # the module's functions and constants are the protocol's


def gazetteer_files() -> GazetteerFiles:
    from bluelight.hub.adapters.gazetteer.files import GazetteerFiles
    from bluelight.sim.gazetteer import generate_uprn_csv

    return GazetteerFiles(generate_uprn_csv)
