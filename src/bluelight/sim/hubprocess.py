"""A real hub in a subprocess on 127.0.0.1, on its own SQLite files or on a PostgreSQL
database (`store`): used by the benchmarks, the crash test and the integration tests."""

from __future__ import annotations

import os
import secrets
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx

from bluelight.bootstrap import hub_transaction
from bluelight.hub.adapters.storage import migrate
from bluelight.hub.domain.agency import Agency, MessageFormat, Service
from bluelight.hub.domain.operator import Operator, Role
from bluelight.hub.domain.sharing import (
    Agreement,
    AgreementTerms,
    DataClass,
)
from bluelight.hub.services import directory, operators, sharing
from bluelight.kernel.loopback import free_port

__all__ = ["HubProcess", "free_port"]


@dataclass
class HubProcess:
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    scheme: str = "http"  # "https" for a hub started with BLUELIGHT_TLS_CERT/KEY in env
    ca_cert: Path | None = None  # verifies an https hub's certificate (else system CAs)
    store: str | None = None  # a PostgreSQL URL: the hub runs on it instead of SQLite
    _migrated: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def db(self) -> Path:
        return self.data_dir / "hub.sqlite"

    @property
    def backend(self) -> str:
        return "postgresql" if self.store else "sqlite"

    @property
    def cli_env(self) -> dict[str, str]:
        """The environment a `bluelight` command needs to work on this hub's database."""
        return {"BLUELIGHT_DATA_DIR": str(self.data_dir)} | (
            {"BLUELIGHT_STORE": self.store} if self.store else {})

    def sql(self, statement: str, args: tuple = ()) -> list[tuple]:
        """Run one statement (SQLite's `?` placeholders) on the hub's database, committed;
        the rows it returns. For tests that look under the API."""
        if self.store:
            import psycopg

            from bluelight.hub.adapters.storage.pg_repository import PgConnection

            with psycopg.connect(self.store, autocommit=True) as conn:
                cursor = PgConnection(conn).execute(statement, args)
                return cursor.fetchall() if cursor.description else []
        import sqlite3

        conn = sqlite3.connect(self.db, isolation_level=None)
        try:
            return conn.execute(statement, args).fetchall()
        finally:
            conn.close()

    def transaction(self, job):
        """Run a job on the hub's database, as a `bluelight` command does."""
        if not self._migrated:
            migrate.upgrade(self.store or self.db)
            self._migrated = True
        return hub_transaction(self.store or self.db)(job)

    def start(self, timeout: float = 30.0) -> HubProcess:
        env = os.environ | {
            "BLUELIGHT_DATA_DIR": str(self.data_dir),
            "BLUELIGHT_ESCALATE_INTERVAL_S": "0.05",
            "BLUELIGHT_LOG_LEVEL": "warning",
        } | ({"BLUELIGHT_STORE": self.store} if self.store else {}) | self.env
        log = open(self.data_dir / "hub.log", "ab")  # noqa: SIM115 - lives as long as the hub
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bluelight.cli", "serve", "--port", str(self.port)],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"hub exited: {(self.data_dir / 'hub.log').read_text()[-2000:]}")
            try:
                verify = (ssl.create_default_context(cafile=str(self.ca_cert)) if self.ca_cert
                          else True)
                # 503: up, but its store is read-only (the read-only disk tests).
                if httpx.get(f"{self.url}/healthz", timeout=0.5,
                             verify=verify).status_code in (200, 503):
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("hub did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flush. What was committed must survive."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def add_agency(self, agency_id: str, service: str, *, phone: str = "029 2000 0000",
                   name: str | None = None, ack_deadline_s: float | None = None,
                   decision_deadline_s: float | None = None,
                   format: str = "bluelight") -> str:  # noqa: A002 - the agency's format
        """Register directly in the hub's database, as `bluelight agency add` does."""
        agency = Agency(id=agency_id, name=name or agency_id, service=Service(service),
                        phone=phone, ack_deadline_s=ack_deadline_s,
                        decision_deadline_s=decision_deadline_s,
                        format=MessageFormat(format))
        token, job = directory.register(agency, time.time())
        self.transaction(job)
        return token

    def subscribe(self, subscriber: str, source: str) -> None:
        """`subscriber` receives `source`'s public alerts, as `bluelight agency subscribe`."""
        self.transaction(directory.subscribe(subscriber, source))

    def add_agreement(self, agreement_id: str, parties: list[str],
                      data_classes: list[str] | None = None, *, retention_days: int = 365,
                      purpose: str = "Operational response to emergencies") -> Agreement:
        """State a data-sharing agreement (every class unless told), as `bluelight
        agreement add` does. Stating it again makes the next version."""
        terms = AgreementTerms(
            parties=parties, purpose=purpose,
            data_classes=[DataClass(c) for c in (data_classes if data_classes is not None
                                                 else list(DataClass))],
            lawful_basis="UK GDPR Art. 6(1)(e) public task; DPA 2018 s.35 and Sch. 8",
            review_date=date.today() + timedelta(days=365), retention_days=retention_days)
        return self.transaction(sharing.add(agreement_id, terms, "cli:test", time.time()))

    def add_operator(self, username: str, agency_id: str, name: str, password: str,
                     role: str = "operator") -> None:
        """Add a console operator, as `bluelight operator add` does."""
        job = operators.add(Operator(username=username, name=name, agency=agency_id,
                                     role=Role(role)),
                            operators.hash_password(password), time.time())
        self.transaction(job)


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"
