"""The region's front door: HAProxy in front of the hub nodes, on loopback. What the tests
start, and what `bluelight region up` will start (issue 12, decision 0024).

The binary is Debian's `haproxy` (`make /usr/sbin/haproxy` installs it). It runs as a
child process in master-worker mode, with a configuration written here:

- HTTP mode, with `GET /healthz` checked on every node twice a second. A node whose
  check fails twice (dead, hung, or answering 503 because its store is read-only) is out
  within about a second, and back after two good checks. Its open connections, WebSocket
  streams included, are closed when it goes out, so their clients reconnect elsewhere.
- A request that cannot connect to a node (the node just died) is sent again to another
  one, and that node is out at once, without waiting for its checks to fail. A GET is also sent again when a node died mid-request. Other methods are not:
  the proxy cannot know whether the node acted. The SDK resends a submission itself,
  with the same message_id.
- WebSocket streams pass through as tunnels, with an idle timeout of an hour (the SDK
  pings every 20 s).
- The proxy's own statistics and health are on a separate port: `/stats` (add `;csv`
  for the machine-readable form) and `/healthz`, which answers 503 when no node is up."""

from __future__ import annotations

import csv
import io
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bluelight.kernel.loopback import free_port, program

BACKEND = "hubs"


def haproxy_binary() -> Path:
    """Debian's haproxy: /usr/sbin is not on every user's PATH, so it is looked for there
    first."""
    return program("haproxy", Path("/usr/sbin/haproxy"),
                   "install Debian's haproxy package (make /usr/sbin/haproxy does)")


class FrontDoorExited(RuntimeError):
    """haproxy stopped while starting or reloading (its log says why)."""


def _address(node: str) -> str:
    """`127.0.0.1:8001` from a node's address or its URL (`http://127.0.0.1:8001`)."""
    if "://" not in node:
        return node
    parts = urlsplit(node)
    if parts.scheme != "http":
        raise ValueError("the front door reaches hub nodes over plain http on loopback, "
                         f"not {node!r}")
    return parts.netloc


@dataclass
class FrontDoor:
    """haproxy on 127.0.0.1:`port`, balancing over `nodes` (their addresses or URLs)."""

    root: Path
    nodes: list[str]
    health_path: str = "/healthz"
    port: int = 0  # 0: chosen when the configuration is written
    stats_port: int = 0
    check_interval_ms: int = 500
    process: subprocess.Popen | None = None
    _generation: int = field(default=0, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.stats_port}"

    @property
    def config(self) -> Path:
        return self.root / "haproxy.cfg"

    @property
    def log(self) -> Path:
        return self.root / "haproxy.log"

    @property
    def addresses(self) -> list[str]:
        return [_address(n) for n in self.nodes]

    def write_config(self, *, fresh_ports: bool = False) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        if fresh_ports or not self.port:
            self.port = free_port()
        if fresh_ports or not self.stats_port:
            self.stats_port = free_port()
        self._generation += 1
        inter = self.check_interval_ms
        servers = "\n".join(
            f"    server node{i + 1} {address} check inter {inter}ms fall 2 rise 2"
            for i, address in enumerate(self.addresses))
        self.config.write_text(f"""\
# Written by bluelight (hub/adapters/region/haproxy.py), generation {self._generation}.
global
    # (no log section: haproxy -db writes its warnings, among them each node going out
    # or coming back, to stderr, which is haproxy.log)
    # after a reload, the old worker's WebSocket tunnels are closed within 30 s; their
    # clients reconnect and resume after their last seq
    hard-stop-after 30s

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout queue 5s
    timeout check 1s
    # a WebSocket stream once upgraded: idle for at most an hour (the SDK pings every 20 s)
    timeout tunnel 1h
    timeout client-fin 5s
    # a request that could not reach a node is sent again, each time to another node
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout

frontend region
    bind 127.0.0.1:{self.port}
    # only GETs are sent again once a node may have seen them (see the module's docstring)
    http-request disable-l7-retry unless METH_GET
    # the client, for the hub's per-address sign-in throttling (trusted_proxies): set,
    # never appended to, so that a client cannot name an address of its choosing
    http-request set-header X-Forwarded-For %[src]
    http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
    http-request set-header X-Forwarded-Proto http unless {{ ssl_fc }}
    default_backend {BACKEND}

backend {BACKEND}
    # the fewest open connections: WebSocket streams are long, requests short
    balance leastconn
    option httpchk GET {self.health_path}
    http-check expect status 200
    # a node taken out loses its connections at once, streams included (a hung node
    # would otherwise hold them until the client's ping times out). A node that refuses
    # a connection is out at once, not after two failed checks: with leastconn a dead
    # node has the fewest connections, and every retry would pick it again.
    default-server on-marked-down shutdown-sessions observe layer4 error-limit 1 on-error mark-down
{servers}

frontend stats
    bind 127.0.0.1:{self.stats_port}
    stats enable
    stats uri /stats
    stats refresh 5s
    stats show-legends
    monitor-uri /healthz
    monitor fail if {{ nbsrv({BACKEND}) lt 1 }}
    # which configuration the worker answering runs: a reload is done when this changes
    http-request return status 200 content-type text/plain string {self._generation} if {{ path /generation }}
""")
        return self.config

    def check(self) -> None:
        """`haproxy -c`: raises ValueError with haproxy's words if the file is refused."""
        done = subprocess.run([str(haproxy_binary()), "-c", "-f", str(self.config)],
                              capture_output=True, text=True, timeout=30, check=False)
        if done.returncode != 0:
            raise ValueError(f"haproxy refused {self.config}: {done.stdout}{done.stderr}")

    def start(self, timeout_s: float = 10.0, attempts: int = 3) -> None:
        """Start haproxy and wait until it listens. A port taken by another process
        between choosing and binding it makes haproxy exit: then it is started again on
        fresh ports (at most `attempts` times)."""
        for attempt in range(attempts):
            self.write_config(fresh_ports=attempt > 0)
            self.check()
            with open(self.log, "ab") as log:
                self.process = subprocess.Popen(
                    [str(haproxy_binary()), "-W", "-db", "-f", str(self.config)],
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                self.wait_listening(timeout_s)
                return
            except FrontDoorExited:
                self.kill()
                if attempt == attempts - 1:
                    raise

    def wait_listening(self, timeout_s: float = 10.0) -> None:
        """Until a worker running the configuration last written answers on the stats
        port, and the front port accepts connections."""
        import httpx

        deadline = time.monotonic() + timeout_s
        while True:
            if self.process is None or self.process.poll() is not None:
                raise FrontDoorExited(f"haproxy exited: {self.log.read_text()[-2000:]}")
            try:
                r = httpx.get(f"{self.stats_url}/generation", timeout=1)
                if r.text == str(self._generation):
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
            except (httpx.HTTPError, OSError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"haproxy not listening in {timeout_s} s: "
                                   f"{self.log.read_text()[-2000:]}")
            time.sleep(0.05)

    def servers(self) -> dict[str, str]:
        """Each node's address and its state as haproxy sees it: `UP`, `DOWN`, or a
        transition such as `UP 1/2` (one check failed, one more takes it out)."""
        import httpx

        r = httpx.get(f"{self.stats_url}/stats;csv", timeout=2)
        r.raise_for_status()
        rows = csv.DictReader(io.StringIO(r.text.removeprefix("# ")))
        return {row["addr"]: row["status"] for row in rows
                if row["pxname"] == BACKEND and row["svname"] not in ("FRONTEND", "BACKEND")}

    def wait_state(self, address: str, status: str, timeout_s: float = 10.0) -> float:
        """Until haproxy reports the node (address or URL) in `status`; the seconds it
        took."""
        address = _address(address)
        start = time.monotonic()
        while (seen := self.servers().get(address)) != status:
            if time.monotonic() - start > timeout_s:
                raise TimeoutError(f"node {address} is {seen!r}, not {status!r}, "
                                   f"after {timeout_s} s")
            time.sleep(0.05)
        return time.monotonic() - start

    def reload(self, nodes: list[str] | None = None, timeout_s: float = 10.0) -> None:
        """Rewrite the configuration (with `nodes`, if given) and reload it without
        dropping the listening socket. Requests in flight finish on the old worker."""
        if self.process is None or self.process.poll() is not None:
            raise FrontDoorExited("haproxy is not running")
        if nodes is not None:
            self.nodes = list(nodes)
        self.write_config()
        self.check()  # a refused file would leave the master with no new worker
        self.process.send_signal(signal.SIGUSR2)
        self.wait_listening(timeout_s)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """A signal to haproxy, master and workers."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM (a hard stop: every connection closed), then SIGKILL if need be."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
