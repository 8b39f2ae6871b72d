"""The SDK (`bluelight.client`) stands on the wire types alone, so it can ship as its own
distribution: installing it must not drag in the hub, its storage or its web framework.

Checked in a fresh interpreter, because this one has long since imported the server for
other tests: only a clean `sys.modules` shows what one import really pulls in."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SERVER_FRAMEWORKS = frozenset({
    "starlette", "uvicorn", "sqlalchemy", "alembic", "typer", "structlog",
    "prometheus_client",
})


def _loaded_after(statement: str) -> list[str]:
    """The modules loaded in a fresh interpreter after running `statement`."""
    script = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _ours(name: str, allowed: tuple[str, ...]) -> bool:
    return name == "bluelight" or any(
        name == package or name.startswith(f"{package}.") for package in allowed)


@pytest.mark.parametrize(("statement", "allowed"), [
    ("import bluelight.client", ("bluelight.client", "bluelight.wire")),
    # The wire package stands alone too: the server builds on it, never the other way.
    ("import pkgutil, importlib, bluelight.wire\n"
     "for m in pkgutil.iter_modules(bluelight.wire.__path__):\n"
     "    importlib.import_module(f'bluelight.wire.{m.name}')", ("bluelight.wire",)),
], ids=["client", "wire"])
def test_importing_loads_no_server_code(statement: str, allowed: tuple[str, ...]) -> None:
    loaded = _loaded_after(statement)
    server = [m for m in loaded if m.startswith("bluelight.") and not _ours(m, allowed)]
    assert not server, f"{statement!r} loads server modules: {server}"
    frameworks = sorted({m.split(".")[0] for m in loaded} & SERVER_FRAMEWORKS)
    assert not frameworks, f"{statement!r} loads server frameworks: {frameworks}"
