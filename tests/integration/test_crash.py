"""The crash test: SIGKILL the hub several times during a bounded load, then prove that
every message the hub acknowledged ("stored") reached each recipient application exactly
once. Uses the same harness as `bluelight bench crash`."""

from __future__ import annotations

import pytest

from bluelight.sim.load import run_crash

pytestmark = pytest.mark.slow


def test_every_acknowledged_transfer_is_delivered_exactly_once_across_sigkills():
    result = run_crash(kills=4, transfers=1200, rate=300.0)
    assert result["kills"] == 4
    # The load really ran through the kills: most submissions were acknowledged, and the
    # recipients' streams reconnected after each kill.
    assert result["acknowledged"] >= 1000, result
    assert result["stream_reconnects"] >= 4 * 3, result
    assert result["lost"] == 0, result
    assert result["duplicated"] == 0, result
    assert result["delivered"] == result["acknowledged"], result
