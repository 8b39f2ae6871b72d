"""`make demo` works: the hub starts, the simulated control rooms exchange incidents,
agreements withhold what they should, the workbench is seeded, and it stops cleanly."""

from __future__ import annotations

import subprocess
import sys

from hubprocess import free_port
from shared_data import CONFORMANCE


def test_the_demo_runs_and_stops_cleanly(tmp_path):
    seeds = CONFORMANCE.parent / "seeds"
    out = subprocess.run(
        [sys.executable, "-m", "bluelight.cli", "demo", "--port", str(free_port()),
         "--seconds", "12", "--data-dir", str(tmp_path / "demo")],
        capture_output=True, text=True, timeout=180, cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "BLUELIGHT_SEEDS_DIR": str(seeds), "COLUMNS": "200"})
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-3000:]
    assert "Traceback" not in text
    assert "stored in" in text and "delivered after" in text
    assert "register now holds 296 collaborations" in text
    assert "/workbench/" in text and "admin-demo-2026" in text
    assert "hub stopped" in text
