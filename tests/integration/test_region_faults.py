"""A whole region under faults (issue 12): PostgreSQL primary + synchronous standby, 3 NATS
JetStream nodes, 3 hub nodes and HAProxy on loopback, simulated control rooms offering
continuous load through the front door, while hub nodes are SIGKILLed and SIGSTOPped,
NATS nodes SIGKILLed and the PostgreSQL primary killed and its standby promoted. Then the
history checker, from the clients' own records only, proves every acknowledged transfer
reached its recipient's application exactly once and in order, no acknowledged decision
was lost, and every overdue alarm came exactly once. `bluelight bench region` runs the
same with more faults and reports the figures.

Also: the one-line refusal of a node whose store cannot be reached, and the 503 of a
node whose PostgreSQL is gone."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from bluelight.kernel.loopback import free_port
from bluelight.sim.region_bench import run_fault_test
from bluelight.sim.region_load import FAULT_KINDS, Plan

pytestmark = pytest.mark.slow


def test_no_acknowledged_transfer_decision_or_alarm_is_lost_duplicated_or_reordered_under_faults(
        tmp_path):
    plan = Plan(rooms=4, fault_rate=30.0, faults_per_kind=2, fault_gap_s=3.0, stop_s=10.0,
                silent_every=15, drain_s=30.0)
    started = time.monotonic()
    report = run_fault_test(plan, tmp_path)
    counts = report["history"]
    print(f"\nregion fault test in {time.monotonic() - started:.0f} s: faults "
          f"{report['faults']}, acknowledged {counts['acknowledged']}, lost {counts['lost']}, "
          f"duplicated {counts['duplicated']}, reordered {counts['reordered']}, decisions "
          f"lost {counts['decisions_lost']} of {counts['decisions_acknowledged']}, alarms "
          f"missed {counts['alarms_missed']} doubled {counts['alarms_doubled']} of "
          f"{counts['alarms_expected']}; failover {report['failover_s']} s")
    print(json.dumps(report, indent=1))
    assert report["fault_errors"] == [], report
    assert all(report["faults"][kind] == 2 for kind in FAULT_KINDS), report
    # The load really ran through the faults, and the streams moved off the failed nodes.
    assert counts["acknowledged"] >= 0.9 * counts["submitted"] > 1000, report
    assert report["failover"]["hub_kill"]["streams_moved"] >= 1, report
    assert counts["alarms_expected"] >= 20 and counts["decisions_acknowledged"] >= 500, report
    assert counts["lost"] == 0, report
    assert counts["duplicated"] == 0, report
    assert counts["reordered"] == 0, report
    assert counts["phantom"] == 0, report
    assert counts["decisions_lost"] == 0, report
    assert counts["alarms_missed"] == 0 and counts["alarms_doubled"] == 0, report
    assert counts["alarms_unexpected"] == 0, report
    # A frozen node does not stop the region storing for as long as it is frozen (it
    # would hold the cluster's write lock): the rest go on within a few seconds.
    frozen = [f["no_receipt_s"] for f in report["per_fault"] if f["kind"] == "hub_stop"]
    assert max(frozen) < plan.stop_s / 2, report["per_fault"]


def _serve(env: dict[str, str], tmp_path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bluelight.cli", "serve", "--port", str(free_port())],
        env=os.environ | {"BLUELIGHT_DATA_DIR": str(tmp_path)} | env,
        capture_output=True, text=True, timeout=timeout)


def test_a_node_whose_store_cannot_be_reached_exits_2_with_one_line_naming_store(tmp_path):
    closed = free_port()  # nothing listens there
    done = _serve({"BLUELIGHT_STORE": f"postgresql://u:p@127.0.0.1:{closed}/x"
                                      "?connect_timeout=2"}, tmp_path)
    assert done.returncode == 2, done
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: store:"), lines
    assert "Traceback" not in done.stderr + done.stdout
    assert ":p@" not in lines[0]  # the password is not printed


def test_a_node_whose_postgresql_is_down_answers_503_problem_json(tmp_path):
    from bluelight.hub.adapters.storage.pg_servers import PgCluster
    from bluelight.sim.hubprocess import HubProcess
    from bluelight.sim.incidents import make_incident

    cluster = PgCluster(tmp_path / "pg")
    cluster.init()
    hub = HubProcess(tmp_path / "hub", store=cluster.dsn)
    hub.data_dir.mkdir()
    try:
        token = hub.add_agency("uk.police.down", "police")
        hub.add_agency("uk.fire.down", "fire")
        hub.add_agreement("isa-down", ["uk.police.down", "uk.fire.down"])
        hub.start()

        def submit():
            _, _, incident = make_incident(random.Random(1), f"DOWN-{time.monotonic_ns()}")
            return httpx.post(f"{hub.url}/v1/incidents", timeout=30,
                              headers={"Authorization": f"Bearer {token}"},
                              json={"message_id": str(uuid.uuid4()),
                                    "recipients": ["uk.fire.down"], "incident": incident})

        assert submit().status_code == 201
        cluster.stop()  # primary and standby both gone
        answer = submit()
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        problem = answer.json()
        assert problem["status"] == 503 and problem["title"], problem
    finally:
        hub.stop()
        cluster.remove()
