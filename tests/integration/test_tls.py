"""TLS and mutual TLS against a real hub: an agency's client certificate identifies it
without a bearer token; expired, foreign and revoked certificates are refused; bearer
tokens still work over TLS; the WebSocket stream works over WSS with a certificate."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import ssl
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets

from bluelight.hub.adapters import pki
from hubprocess import HubProcess, unique
from samples import incident


@dataclass
class Tls:
    hub: HubProcess
    dir: Path
    ca: Path
    ca_key: Path

    def context(self, cert: tuple[Path, Path] | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.ca))
        if cert:
            ctx.load_cert_chain(*map(str, cert))
        return ctx

    def client(self, cert: tuple[Path, Path] | None = None, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.hub.url, verify=self.context(cert), headers=headers,
                            timeout=5)

    def agency(self, service: str, **kw) -> tuple[str, str, tuple[Path, Path]]:
        agency_id = f"uk.{service}.{unique('tls')}"
        token = self.hub.add_agency(agency_id, service)
        return agency_id, token, pki.issue(self.dir, self.ca, self.ca_key, agency_id,
                                           kind="client", **kw)


@pytest.fixture(scope="module")
def tls(tmp_path_factory) -> Tls:
    directory = tmp_path_factory.mktemp("pki")
    ca, ca_key = pki.init_ca(directory)
    server = pki.issue(directory, ca, ca_key, "localhost", kind="server")
    hub = HubProcess(tmp_path_factory.mktemp("tlshub"), scheme="https", ca_cert=ca, env={
        "BLUELIGHT_TLS_CERT": str(server[0]), "BLUELIGHT_TLS_KEY": str(server[1]),
        "BLUELIGHT_TLS_CLIENT_CA": str(ca),
        "BLUELIGHT_TLS_REVOKED": str(directory / pki.REVOKED_FILE),
    }).start()
    yield Tls(hub, directory, ca, ca_key)
    hub.stop()


def test_pki_files(tls):
    key = tls.dir / "ca.key"
    assert key.stat().st_mode & 0o777 == 0o600
    agency_id, _, (cert_path, key_path) = tls.agency("police")
    assert key_path.stat().st_mode & 0o777 == 0o600
    cert = pki.load_cert(cert_path)
    assert pki.agency_of(cert) == agency_id


def test_client_certificate_identifies_the_agency(tls):
    police, _, police_cert = tls.agency("police")
    fire, fire_token, _ = tls.agency("fire")
    with tls.client(police_cert) as c:
        assert c.get("/v1/agencies").status_code == 200
        assert c.get("/v1/transfers").status_code == 200
        sent = c.post("/v1/incidents", json={"message_id": str(uuid.uuid4()),
                                             "recipients": [fire], "incident": incident()})
        assert sent.status_code == 201, sent.text
        transfer_id = sent.json()["transfers"][0]["transfer_id"]
    with tls.client(token=fire_token) as c:  # a bearer token still works over TLS
        got = c.get(f"/v1/transfers/{transfer_id}")
        assert got.status_code == 200, got.text
        assert got.json()["sender"] == police


def test_token_must_match_the_certificate(tls):
    _, police_token, police_cert = tls.agency("police")
    _, fire_token, _ = tls.agency("fire")
    with tls.client(police_cert, token=police_token) as c:
        assert c.get("/v1/transfers").status_code == 200
    with tls.client(police_cert, token=fire_token) as c:
        got = c.get("/v1/transfers")
        assert got.status_code == 401
        assert got.headers["content-type"].startswith("application/problem+json")


def test_certificate_for_an_unregistered_agency_is_refused(tls):
    cert = pki.issue(tls.dir, tls.ca, tls.ca_key, "uk.police.nobody", kind="client")
    with tls.client(cert) as c:
        assert c.get("/v1/transfers").status_code == 401


def test_no_certificate_and_no_token_is_unauthenticated(tls):
    with tls.client() as c:
        assert c.get("/v1/transfers").status_code == 401


def test_expired_certificate_is_refused(tls):
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    _, _, cert = tls.agency("police", not_before=past - dt.timedelta(days=1),
                            not_after=past)
    with tls.client(cert) as c:
        try:
            status = c.get("/v1/transfers").status_code
        except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
            return  # the handshake failed
        assert status == 401


def test_certificate_from_another_ca_is_refused(tls, tmp_path):
    other_ca, other_key = pki.init_ca(tmp_path, "someone else's CA")
    agency_id, _, _ = tls.agency("police")
    cert = pki.issue(tmp_path, other_ca, other_key, agency_id, kind="client")
    with tls.client(cert) as c, pytest.raises(
            (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
        c.get("/v1/transfers")


def test_revoked_certificate_is_refused(tls):
    _, _, cert = tls.agency("police")
    with tls.client(cert) as c:
        assert c.get("/v1/transfers").status_code == 200
        time.sleep(0.01)  # a new modification time for the revoked file
        pki.revoke(tls.dir, cert[0])
        got = c.get("/v1/transfers")
        assert got.status_code == 401
        assert "revoked" in got.json()["detail"]
    with tls.client(cert) as c:  # and on a new connection
        assert c.get("/v1/agencies").status_code == 401


async def test_stream_over_wss_with_a_client_certificate(tls):
    police, police_token, _ = tls.agency("police")
    fire, _, fire_cert = tls.agency("fire")
    url = tls.hub.url.replace("https://", "wss://") + "/v1/stream"
    async with websockets.connect(url, ssl=tls.context(fire_cert), open_timeout=5) as ws:
        async with httpx.AsyncClient(base_url=tls.hub.url, verify=tls.context(),
                                     headers={"Authorization": f"Bearer {police_token}"}) as c:
            sent = await c.post("/v1/incidents", json={
                "message_id": str(uuid.uuid4()), "recipients": [fire], "incident": incident()})
            assert sent.status_code == 201, sent.text

        async def offer():
            while True:
                frame = json.loads(await ws.recv())
                for entry in frame if isinstance(frame, list) else [frame]:
                    if police in json.dumps(entry):
                        return entry

        assert await asyncio.wait_for(offer(), 5)
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(url, ssl=tls.context(), open_timeout=5):
            pass
    assert refused.value.response.status_code == 401


async def test_an_open_stream_is_closed_when_its_certificate_is_revoked(tls):
    _, _, cert = tls.agency("ambulance")
    url = tls.hub.url.replace("https://", "wss://") + "/v1/stream"
    async with websockets.connect(url, ssl=tls.context(cert), open_timeout=5) as ws:
        await asyncio.wait_for(ws.recv(), 5)  # connected: the live frame
        time.sleep(0.01)  # a new modification time for the revoked file
        pki.revoke(tls.dir, cert[0])
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd.code == 4401
