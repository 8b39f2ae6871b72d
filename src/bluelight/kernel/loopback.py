"""Loopback addresses for the processes a test or a local region starts."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port free on 127.0.0.1 now. Another process may take it before ours binds it, so
    whoever starts a server on it retries with another when the bind fails."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
