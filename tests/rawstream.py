"""A WebSocket client on a bare socket that never reads, and what tests watch of the hub
while one attacks it: its memory (VmRSS) and its side of the TCP connection.

Linux only (/proc, TCP_INFO), as the hub's deployment and CI are."""

from __future__ import annotations

import base64
import os
import socket
import threading
import time

import httpx

ESTABLISHED = 1  # tcpi_state, as in /proc/net/tcp


class RawStream:
    """Opens /v1/stream and then only ever writes. Its receive buffer is a few KiB, so
    the hub's writes back up soon, as they do behind a client that has stopped reading
    (a hung CAD gateway, or an attacker)."""

    def __init__(self, hub, token: str, after: int | None = None, *, rcvbuf: int = 4096,
                 timeout: float = 60.0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)  # a send blocked this long fails the test
        self.sock.connect(("127.0.0.1", hub.port))
        self.port = self.sock.getsockname()[1]
        query = f"?after={after}" if after is not None else ""
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((
            f"GET /v1/stream{query} HTTP/1.1\r\nHost: 127.0.0.1:{hub.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {token}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:  # the handshake answer; frames after it stay unread
            chunk = self.sock.recv(1)
            assert chunk, f"closed during the handshake: {head!r}"
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head

    def send(self, payload: bytes, opcode: int = 1) -> bool:
        """Send one message (a text frame unless told); False once the hub has dropped
        the connection."""
        try:
            self.sock.sendall(frame(payload, opcode))
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def state(self) -> int:
        return self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)[0]

    def dropped_within(self, seconds: float) -> bool:
        """Whether the hub drops the connection within `seconds`, watched without
        reading (reading would let the hub's blocked write complete)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.state() != ESTABLISHED:
                return True
            time.sleep(0.05)
        return False

    def close(self) -> None:
        self.sock.close()


def frame(payload: bytes, opcode: int = 1) -> bytes:
    """A final, masked client frame. The mask is all zeros (valid, and leaves the
    payload as it is, so large frames cost nothing to build)."""
    n = len(payload)
    if n < 126:
        length = bytes([0x80 | n])
    elif n < 65536:
        length = bytes([0x80 | 126]) + n.to_bytes(2, "big")
    else:
        length = bytes([0x80 | 127]) + n.to_bytes(8, "big")
    return bytes([0x80 | opcode]) + length + b"\0\0\0\0" + payload


def hub_side_open(hub, client_port: int) -> bool:
    """Whether the hub's end of a connection from `client_port` still exists in the
    kernel (in any state but TIME_WAIT): not just the process's socket, also an orphan
    still holding unsent data."""
    hub_end, client_end = f":{hub.port:04X}", f":{client_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, remote, state = line.split()[1:4]
                if local.endswith(hub_end) and remote.endswith(client_end) and state != "06":
                    return True
    return False


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


class PeakRss:
    """The highest VmRSS of a process while the `with` block runs, sampled every 20 ms
    (short spikes between samples are missed; what these tests look for is growth that
    lasts while an attack does)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before = self.peak = rss_mib(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mib(self.pid))

    @property
    def growth(self) -> float:
        return self.peak - self.before

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mib(self.pid))


def stream_sessions(hub) -> int:
    """The hub's count of open stream sessions (its /metrics gauge)."""
    text = httpx.get(f"{hub.url}/metrics", timeout=10).text
    (line,) = [x for x in text.splitlines() if x.startswith("bluelight_stream_sessions ")]
    return int(float(line.split()[1]))
