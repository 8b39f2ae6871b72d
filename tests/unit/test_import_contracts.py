"""The layering contracts in `.importlinter` hold, and they would catch the breaches the
restructuring removed (issue 11): each case plants one such import in a copy of the
package and checks that `lint-imports` fails on the contract that guards it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    # Wide, so that no contract's name is wrapped onto a second line of the report.
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "COLUMNS": "400"}
    return subprocess.run([str(LINT), str(root / ".importlinter"), "--no-cache"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=300)


def test_the_contracts_hold():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " 0 broken" in result.stdout


# (module that gets the import, the import, the contract that must catch it)
BREACHES = [
    ("hub/services/submit.py", "import bluelight.hub.adapters.storage.sqlite_store",
     "The hub's layers"),
    ("hub/entrypoints/admin_api.py", "import bluelight.hub.adapters.storage.sqlite_store",
     "Hub entrypoints reach adapters only through the composition root"),
    ("workbench/entrypoints/register_api.py", "import bluelight.workbench.adapters.migrate",
     "Workbench entrypoints reach adapters only through the composition root"),
    ("workbench/services/register.py", "import bluelight.hub.services.hub",
     "The two products are independent"),
    ("kernel/routing.py", "import bluelight.hub.services.audit",
     "The shared kernel depends on neither product"),
    ("client/_http.py", "import bluelight.hub.services.views",
     "The SDK depends only on the wire types"),
    ("hub/domain/incident.py", "import sqlite3", "The domains do no I/O and know no framework"),
]


@pytest.mark.parametrize("module, line, contract", BREACHES,
                         ids=[b[0].replace("/", ".") for b in BREACHES])
def test_a_breach_is_caught(tmp_path, module, line, contract):
    shutil.copytree(ROOT / "src", tmp_path / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "static"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    target = tmp_path / "src" / "bluelight" / module
    target.write_text(target.read_text() + f"\n{line}  # planted by the test\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    verdicts = [line for line in result.stdout.splitlines() if line.endswith(" BROKEN")]
    assert any(line.startswith(contract) for line in verdicts), result.stdout[-3000:]
