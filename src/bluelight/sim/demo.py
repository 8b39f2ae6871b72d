"""`make demo`: a South Wales hub on 127.0.0.1:8000 with simulated control rooms.

Everything runs locally: a fresh SQLite hub under var/demo, a generated gazetteer for
the region, the hub in its own process, and one simulated CAD system per agency."""

from __future__ import annotations

import asyncio
import random
import shutil
import signal
import time
from pathlib import Path

from rich.console import Console

from bluelight.client import Client
from bluelight.hub.adapters.gazetteer.sqlite_gazetteer import import_csv
from bluelight.sim.cad import SimulatedCad
from bluelight.sim.gazetteer import generate_uprn_csv
from bluelight.sim.hubprocess import HubProcess

REGION = [
    # service, agency id, name, control room phone (published switchboard numbers)
    ("police", "uk.police.south-wales", "South Wales Police", "01656 655555"),
    ("fire", "uk.fire.south-wales", "South Wales Fire and Rescue Service", "01443 232000"),
    ("ambulance", "uk.ambulance.wales", "Welsh Ambulance Services NHS Trust", "01745 532900"),
    ("coastguard", "uk.coastguard.milford-haven", "HM Coastguard Milford Haven", "01646 690909"),
]


def prepare(data_dir: Path, console: Console, gazetteer_rows: int = 20_000) -> dict[str, str]:
    """A fresh hub database with the region's agencies and gazetteer; returns tokens."""
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    csv = data_dir / "uprn-south-wales.csv"
    generate_uprn_csv(csv, gazetteer_rows, seed=2022)
    result = import_csv(csv, data_dir / "gazetteer.sqlite")
    console.print(f"gazetteer: {result.rows} UPRNs for South Wales")
    hub = HubProcess(data_dir)
    tokens = {}
    for service, agency_id, name, phone in REGION:
        tokens[service] = hub.add_agency(agency_id, service, name=name, phone=phone,
                                         ack_deadline_s=15, decision_deadline_s=30)
        hub.add_operator(service, agency_id, OPERATOR_NAMES[service], demo_password(service))
    hub.add_operator("admin", REGION[0][1], "Hub administrator", demo_password("admin"),
                     role="admin")
    for agreement_id, services, classes, purpose in AGREEMENTS:
        hub.add_agreement(agreement_id, [a for s, a, *_ in REGION if s in services], classes,
                          purpose=purpose, retention_days=365)
        console.print(f"agreement {agreement_id}: {', '.join(classes)}")
    _seed_workbench(data_dir, console)
    return tokens


def _seed_workbench(data_dir: Path, console: Console) -> None:
    """The workbench's register from the source documents (when they are beside the
    checkout) and the Audit Wales estates figures, as the CLI loads them."""
    import os
    import subprocess
    import sys

    env = os.environ | {"BLUELIGHT_DATA_DIR": str(data_dir)}
    for args in (["register", "import-seeds"], ["estates", "load-fixture"]):
        done = subprocess.run([sys.executable, "-m", "bluelight.cli", *args],
                              env=env, capture_output=True, text=True, timeout=120)
        last = (done.stdout.strip().splitlines() or [""])[-1]
        if done.returncode == 0:
            console.print(f"workbench: {last}")
        else:  # the demo runs without the register; say why
            console.print(f"workbench: {' '.join(args)} skipped: {done.stderr.strip()}")


# What the region's services share beyond the operational minimum. Medical and
# officer-safety details flow between police, ambulance and coastguard (who hand over
# casualties), not to fire; criminal intelligence flows to nobody. So the demo shows the
# hub withholding fields.
AGREEMENTS = [
    ("isa-south-wales-blue-light", {"police", "fire", "ambulance", "coastguard"},
     ["situation", "caller", "vulnerability"],
     "Joint response to emergencies in South Wales and its coastal waters"),
    ("isa-swp-wast-hmcg-casualties", {"police", "ambulance", "coastguard"},
     ["situation", "caller", "medical", "vulnerability", "officer-safety"],
     "Casualty care: concern for welfare, mental health crisis, medical emergencies "
     "and casualties handed over from sea and shore"),
]


OPERATOR_NAMES = {"police": "Sgt Carys Morgan", "fire": "Watch Manager Huw Price",
                  "ambulance": "Dispatcher Nia Evans", "coastguard": "CGOC Officer Tom Reed"}


def demo_password(service: str) -> str:
    """Printed for the demo only: a real hub generates passwords (`bluelight operator add`)."""
    return f"{service}-demo-2026"


async def _simulate(url: str, tokens: dict[str, str], console: Console, seconds: float | None,
                    seed: int) -> None:
    rng = random.Random(seed)
    partners = {service: agency_id for service, agency_id, _, _ in REGION}
    clients = [Client(url, tokens[service]) for service, *_ in REGION]
    cads = [
        SimulatedCad(agency_id, service, client, partners,
                     lambda line: console.print(f"{time.strftime('%H:%M:%S')} {line}"),
                     random.Random(rng.random()))
        for (service, agency_id, _, _), client in zip(REGION, clients, strict=True)
    ]
    tasks = [asyncio.create_task(cad.run()) for cad in cads]
    try:
        await asyncio.wait(tasks, timeout=seconds)
    finally:
        for task in tasks:
            task.cancel()
        for client in clients:
            await client.aclose()


def _stop_on_sigterm(signum, frame) -> None:
    raise KeyboardInterrupt  # stop as Ctrl-C does, so the hub process is stopped too


def run(data_dir: Path, port: int, seconds: float | None, seed: int = 1) -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    console = Console(soft_wrap=True, highlight=False)
    tokens = prepare(data_dir, console)
    hub = HubProcess(data_dir, port=port, env={"BLUELIGHT_LOG_LEVEL": "warning"}).start()
    console.print(f"\n[bold]bluelight console[/] at [link]{hub.url}/console/[/]  "
                  f"(API: {hub.url}/openapi.json, metrics: {hub.url}/metrics)")
    console.print(f"[bold]collaboration workbench[/] at [link]{hub.url}/workbench/[/]  "
                  f"(public report: {hub.url}/v1/workbench/report.html)")
    console.print("Operator logins (open two browser windows as two agencies):")
    for service, _, name, _ in REGION:
        console.print(f"  {service:<11} password {demo_password(service):<22} {name}")
    console.print(f"  {'admin':<11} password {demo_password('admin'):<22} hub administrator "
                  "(agreements, credentials, audit)")
    console.print("Agency credentials for this demo (CAD integrators use these):")
    for service, agency_id, _name, _ in REGION:
        console.print(f"  {agency_id:<30} {tokens[service]}")
    console.print("Simulated control rooms are exchanging incidents; Ctrl-C stops.\n")
    try:
        asyncio.run(_simulate(hub.url, tokens, console, seconds, seed))
    except KeyboardInterrupt:
        pass
    finally:
        hub.stop()
        console.print(f"\nhub stopped. Figures: BLUELIGHT_DATA_DIR={data_dir} bluelight stats")
