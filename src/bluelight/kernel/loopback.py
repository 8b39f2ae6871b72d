"""Loopback addresses for the processes a test or a local region starts."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path


def free_port() -> int:
    """A port free on 127.0.0.1 now. Another process may take it before ours binds it, so
    whoever starts a server on it retries with another when the bind fails."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def program(name: str, first: Path, install: str) -> Path:
    """A server's executable: `first` if it is there (a package's own place, which may
    not be on PATH), else `name` on PATH; FileNotFoundError saying how to install it."""
    if first.exists():
        return first
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: {install}")
    return Path(found)
