"""The composition root: the one place that picks adapters and wires them together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bluelight.adapters.codecs.translator import CodecTranslator
from bluelight.adapters.delivery.inprocess import InProcessDelivery
from bluelight.adapters.gazetteer.sqlite_gazetteer import SqliteGazetteer
from bluelight.adapters.geodesy import ProjGeodesy
from bluelight.adapters.jws import PyJwtJose
from bluelight.adapters.metrics import PrometheusMetrics
from bluelight.adapters.storage import migrate
from bluelight.adapters.storage.sqlite_store import SqliteStore
from bluelight.adapters.workbench import migrate as workbench_migrate
from bluelight.config import Settings
from bluelight.services.hub import Hub


@dataclass
class Runtime:
    settings: Settings
    hub: Hub
    store: SqliteStore
    delivery: InProcessDelivery
    metrics: PrometheusMetrics


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
