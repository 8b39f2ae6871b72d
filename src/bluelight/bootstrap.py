"""The composition root: the one place that picks adapters and wires them together."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from bluelight.hub.adapters.codecs.translator import CodecTranslator
from bluelight.hub.adapters.delivery.inprocess import InProcessDelivery
from bluelight.hub.adapters.gazetteer.sqlite_gazetteer import SqliteGazetteer
from bluelight.hub.adapters.geodesy import ProjGeodesy
from bluelight.hub.adapters.jws import PyJwtJose
from bluelight.hub.adapters.metrics import PrometheusMetrics
from bluelight.hub.adapters.pki import ClientCertificates
from bluelight.hub.adapters.storage import migrate
from bluelight.hub.adapters.storage.sqlite_store import SqliteStore
from bluelight.hub.services.admin import Admin
from bluelight.hub.services.hub import Hub
from bluelight.kernel.settings import Settings
from bluelight.workbench.adapters import migrate as workbench_migrate

if TYPE_CHECKING:
    from bluelight.hub.adapters.gazetteer.files import GazetteerFiles
    from bluelight.hub.adapters.key_pairs import JwsKeyPairs
    from bluelight.hub.entrypoints.cli_root import DevelopmentPki


@dataclass
class Runtime:
    settings: Settings
    hub: Hub
    store: SqliteStore
    delivery: InProcessDelivery
    metrics: PrometheusMetrics

    # Derived from the fields above when first asked for.
    @cached_property
    def admin(self) -> Admin:
        """The hub operator's use cases, on the hub's store."""
        return Admin(self.store, self.settings.policy)

    @cached_property
    def certificates(self) -> ClientCertificates:
        """Agencies' client certificates, and the revoked-serials file (only with TLS:
        without it no connection carries a certificate)."""
        settings = self.settings
        return ClientCertificates(settings.tls_revoked if settings.tls else None)


def build(settings: Settings) -> Runtime:
    """Migrate the database and assemble the hub. The store's writer starts with the
    event loop (see `entrypoints.app`)."""
    migrate.upgrade(settings.db)
    workbench_migrate.upgrade(settings.workbench)
    metrics = PrometheusMetrics()
    delivery = InProcessDelivery()
    store = SqliteStore(settings.db, delivery.publish, on_batch=metrics.batch,
                        wal_max_bytes=settings.wal_max_bytes)
    hub = Hub(
        store,
        SqliteGazetteer(settings.gazetteer),
        ProjGeodesy(),
        settings.policy,
        metrics,
        jose=PyJwtJose(),
        translator=CodecTranslator({
            "eido": Path(settings.eido_schema_dir) if settings.eido_schema_dir else None,
            "edxl-de": (Path(settings.edxl_de_schema_dir) if settings.edxl_de_schema_dir
                        else None),
        }),
    )
    return Runtime(settings, hub, store, delivery, metrics)


# What the command line's hub commands ask for (`hub.entrypoints.cli_root.Composition`;
# `bluelight.cli` installs this module as theirs). Each adapter is imported when a
# command first asks for it: the server never loads them.
def admin(settings: Settings) -> Admin:
    """The hub operator's use cases on the hub's database (migrated first), each job in a
    transaction of its own: for a command, whether or not a hub is running on it."""
    from bluelight.hub.adapters.storage.direct_store import DirectStore

    migrate.upgrade(settings.db)
    return Admin(DirectStore(settings.db), settings.policy)


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
