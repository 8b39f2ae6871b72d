"""Credentials rotate without downtime and a revoked one stops working at once: the next
request fails, and an open stream using it is closed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from bluelight.hub.services import credentials, directory


def cli(hub, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bluelight.cli", *args],
                          env=os.environ | hub.cli_env,
                          capture_output=True, text=True, timeout=60)


def new_token(hub, agency_id: str) -> str:
    token, job = directory.new_credential(agency_id, time.time())
    hub.transaction(job)
    return token


def test_rotate_then_revoke_the_old_token(hub, region):
    old = region.fire.token
    new = new_token(hub, region.fire.id)
    for token in (old, new):  # both work during the changeover: no downtime
        assert httpx.get(f"{hub.url}/v1/agencies",
                         headers={"Authorization": f"Bearer {token}"}).status_code == 200

    revoked = cli(hub, "agency", "revoke", credentials.split(old)[0])
    assert revoked.returncode == 0, revoked.stderr
    r = httpx.get(f"{hub.url}/v1/agencies", headers={"Authorization": f"Bearer {old}"})
    assert r.status_code == 401  # the very next request
    assert httpx.get(f"{hub.url}/v1/agencies",
                     headers={"Authorization": f"Bearer {new}"}).status_code == 200

    listed = cli(hub, "agency", "tokens", region.fire.id).stdout
    assert credentials.split(old)[0] in listed and credentials.split(new)[0] in listed
    again = cli(hub, "agency", "revoke", credentials.split(old)[0])
    assert again.returncode != 0 and "no active credential" in again.stderr


def test_an_open_stream_is_closed_when_its_credential_is_revoked(hub, region):
    doomed = new_token(hub, region.ambulance.id)
    url = hub.url.replace("http://", "ws://") + "/v1/stream"

    async def scenario() -> int:
        async with websockets.connect(
                url, additional_headers={"Authorization": f"Bearer {doomed}"}) as ws:
            await asyncio.wait_for(ws.recv(), 5)  # the live frame: connected
            hub.transaction(directory.revoke(credentials.split(doomed)[0], time.time()))
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            return closed.value.rcvd.code

    assert asyncio.run(scenario()) == 4401
    # The agency's other credential (its stream, its requests) is untouched.
    assert httpx.get(f"{hub.url}/v1/agencies", headers={
        "Authorization": f"Bearer {region.ambulance.token}"}).status_code == 200
