"""A PostgreSQL primary with a synchronous standby, as real server processes on loopback:
what the tests start, and what `bluelight region up` starts.

The servers are Debian's `postgresql` package (the Makefile installs it when missing).
The standby streams the primary's WAL and is named in `synchronous_standby_names`, so a
COMMIT returns only once the standby has flushed it too: losing the primary then loses no
transfer the hub acknowledged. PostgreSQL refuses to run as root, so when we are root the
servers run as the package's `postgres` user, on a data directory it owns."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bluelight.kernel.loopback import free_port

STANDBY_NAME = "standby1"


def bin_dir() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them off PATH)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                      else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found is None:
        raise FileNotFoundError("PostgreSQL not found: install Debian's postgresql package "
                                "(make setup-servers does)")
    return Path(found).parent


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class ServerExited(RuntimeError):
    """A server stopped while starting (its log says why)."""


@dataclass
class PgServer:
    name: str
    port: int
    data: Path
    log: Path
    process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class PgCluster:
    """A primary and one synchronous standby under `root`. `dsn` names both hosts with
    `target_session_attrs=read-write`, so a client (libpq) finds whichever is primary
    after a promotion."""

    root: Path
    user: str = "bluelight"
    database: str = "bluelight"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    primary: PgServer | None = None
    standby: PgServer | None = None

    # layout ---------------------------------------------------------------------------
    def _data_root(self) -> Path:
        """Where the data directories go. Under root, the `postgres` user must reach
        them, and a private temporary folder (pytest's is 0700) is out of its reach:
        then the data lives in a folder of its own under /tmp, linked from `root`."""
        link = self.root / "pg"
        if link.exists():
            return link.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        if not _as_postgres() or _reachable_by_postgres(self.root):
            link.mkdir()
            target = link
        else:
            target = Path(tempfile.mkdtemp(prefix="bluelight-pg-"))
            link.symlink_to(target)
        if _as_postgres():
            postgres = pwd.getpwnam("postgres")
            os.chown(target, postgres.pw_uid, postgres.pw_gid)
        return target

    @property
    def servers(self) -> list[PgServer]:
        return [s for s in (self.primary, self.standby) if s is not None]

    @property
    def dsn(self) -> str:
        return self.dsn_for(self.database)

    def dsn_for(self, database: str) -> str:
        hosts = ",".join("127.0.0.1" for _ in self.servers)
        ports = ",".join(str(s.port) for s in self.servers)
        return (f"postgresql://{self.user}:{self.password}@/{database}"
                f"?host={hosts}&port={ports}&target_session_attrs=read-write"
                "&connect_timeout=2")

    def create_database(self, database: str) -> str:
        """A new empty database owned by the hub's role (a test's own); its URL."""
        self.query(self.primary, f"CREATE DATABASE {database} OWNER {self.user}",
                   check=True)
        return self.dsn_for(database)

    def _run(self, *argv: str, env: dict | None = None) -> None:
        subprocess.run([*_as_postgres(), *argv], check=True, capture_output=True,
                       env={**os.environ, **(env or {})}, cwd="/")

    # lifecycle ------------------------------------------------------------------------
    def init(self) -> None:
        """Create the primary's cluster, the hub's role and database, and a standby
        cloned from it. Leaves both running."""
        data_root = self._data_root()
        pwfile = data_root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if _as_postgres():
            postgres = pwd.getpwnam("postgres")
            os.chown(pwfile, postgres.pw_uid, postgres.pw_gid)
        primary = PgServer("primary", free_port(), data_root / "primary",
                           data_root / "primary.log")
        self._run(str(bin_dir() / "initdb"), "-D", str(primary.data), "-U", "postgres",
                  "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self._configure(primary)
        (primary.data / "pg_hba.conf").write_text(
            "local all all scram-sha-256\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
            "host replication all 127.0.0.1/32 scram-sha-256\n")
        self.primary = primary
        self.start(primary)
        # No standby yet: these commits must not wait for one.
        env = {"PGPASSWORD": self.password, "PGOPTIONS": "-c synchronous_commit=local"}
        psql = [str(bin_dir() / "psql"), "-h", "127.0.0.1", "-p", str(primary.port),
                "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
        self._run(*psql, "-c", f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'",
                  env=env)
        self._run(*psql, "-c", f"CREATE DATABASE {self.database} OWNER {self.user}", env=env)
        self._run(*psql, "-c", f"ALTER ROLE postgres PASSWORD '{self.password}'", env=env)
        self.standby = self._clone(PgServer("standby", free_port(), data_root / "standby",
                                            data_root / "standby.log"), primary)
        self.start(self.standby)
        self.wait_synchronous()

    def _configure(self, server: PgServer) -> None:
        # fsync and synchronous_commit at their safe defaults, said out loud.
        conf = f"""
listen_addresses = '127.0.0.1'
port = {server.port}
unix_socket_directories = ''
max_connections = 200
fsync = on
synchronous_commit = on
wal_level = replica
max_wal_senders = 8
wal_keep_size = '256MB'
hot_standby = on
wal_log_hints = on
synchronous_standby_names = 'FIRST 1 ({STANDBY_NAME})'
shared_buffers = '128MB'
"""
        with open(server.data / "postgresql.conf", "a") as f:
            f.write(conf)

    def _clone(self, standby: PgServer, source: PgServer) -> PgServer:
        """A fresh standby of `source`, by pg_basebackup, streaming from it."""
        if standby.data.exists():
            self._run("rm", "-rf", str(standby.data))
        self._run(str(bin_dir() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(source.port),
                  "-U", "postgres", "-D", str(standby.data), "-X", "stream", "-c", "fast",
                  env={"PGPASSWORD": self.password})
        auto = standby.data / "postgresql.auto.conf"
        with open(auto, "a") as f:
            f.write(f"port = {standby.port}\n"
                    f"primary_conninfo = 'host=127.0.0.1 port={source.port} user=postgres "
                    f"password={self.password} application_name={STANDBY_NAME}'\n")
        (standby.data / "standby.signal").touch()
        if _as_postgres():
            self._run("chmod", "0700", str(standby.data))
        return standby

    def start(self, server: PgServer, timeout_s: float = 30.0) -> None:
        with open(server.log, "ab") as log:
            if _as_postgres():
                postgres = pwd.getpwnam("postgres")
                os.chown(server.log, postgres.pw_uid, postgres.pw_gid)
            server.process = subprocess.Popen(
                [*_as_postgres(), str(bin_dir() / "postgres"), "-D", str(server.data)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd="/")
        deadline = time.monotonic() + timeout_s
        while True:
            ready = subprocess.run(
                [str(bin_dir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(server.port),
                 "-t", "1"], capture_output=True)
            if ready.returncode == 0:
                return
            if server.process.poll() is not None:
                raise ServerExited(f"postgres {server.name} exited: "
                                   f"{server.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"postgres {server.name} not ready in {timeout_s} s")
            time.sleep(0.1)

    def wait_synchronous(self, timeout_s: float = 30.0) -> None:
        """Until the primary reports the standby as its synchronous standby."""
        deadline = time.monotonic() + timeout_s
        while self.query(self.primary, "SELECT sync_state FROM pg_stat_replication "
                         f"WHERE application_name = '{STANDBY_NAME}'") != "sync":
            if time.monotonic() > deadline:
                raise TimeoutError("the standby did not become synchronous in "
                                   f"{timeout_s} s")
            time.sleep(0.1)

    def query(self, server: PgServer, sql: str, *, check: bool = False) -> str:
        out = subprocess.run(
            [str(bin_dir() / "psql"), "-h", "127.0.0.1", "-p", str(server.port), "-U",
             "postgres", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True, text=True, env={**os.environ, "PGPASSWORD": self.password})
        if check and out.returncode != 0:
            raise RuntimeError(f"{sql}: {out.stderr.strip()}")
        return out.stdout.strip()

    # faults ---------------------------------------------------------------------------
    def kill(self, server: PgServer, sig: int = signal.SIGKILL) -> None:
        if server.running:
            os.killpg(server.process.pid, sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                server.process.wait(30)

    def fail_over(self) -> None:
        """Kill the primary, promote the standby, and rebuild the old primary as the new
        one's synchronous standby (until it is back, commits wait: nothing is
        acknowledged that only one server holds)."""
        old, new = self.primary, self.standby
        self.kill(old)
        self._run(str(bin_dir() / "pg_ctl"), "promote", "-w", "-D", str(new.data))
        self.primary, self.standby = new, old
        self.standby = self._clone(old, new)
        self.start(self.standby)
        self.wait_synchronous()

    def stop(self) -> None:
        for server in self.servers:
            if server.running:
                os.killpg(server.process.pid, signal.SIGINT)  # fast shutdown
        for server in self.servers:
            if server.process is not None:
                try:
                    server.process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(server.process.pid, signal.SIGKILL)
                    server.process.wait(10)

    def remove(self) -> None:
        """Stop, and delete the data (also the folder under /tmp, if it was used)."""
        self.stop()
        link = self.root / "pg"
        if link.is_symlink():
            shutil.rmtree(link.resolve(), ignore_errors=True)
            link.unlink()
        else:
            shutil.rmtree(link, ignore_errors=True)


def _reachable_by_postgres(path: Path) -> bool:
    return subprocess.run([*_as_postgres(), "test", "-x", str(path)],
                          capture_output=True).returncode == 0
