"""Console sign-in, sessions and CSRF, at the HTTP level against a real hub."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from hubprocess import HubProcess, unique
from samples import incident

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    process = HubProcess(tmp_path_factory.mktemp("console"),
                         env={"BLUELIGHT_SESSION_IDLE_S": "2"}).start()
    yield process
    process.stop()


@pytest.fixture
def people(hub):
    area = unique("c")
    police, fire = f"uk.police.{area}", f"uk.fire.{area}"
    police_token = hub.add_agency(police, "police")
    hub.add_agency(fire, "fire")
    hub.add_operator(f"p-{area}", police, "Sgt Carys Morgan", PASSWORD)
    hub.add_operator(f"f-{area}", fire, "Watch Manager Huw Price", PASSWORD)
    return {"police": police, "fire": fire, "police_token": police_token,
            "police_user": f"p-{area}", "fire_user": f"f-{area}"}


def sign_in(hub, username: str, password: str = PASSWORD) -> tuple[httpx.Client, dict]:
    client = httpx.Client(base_url=hub.url)
    r = client.post("/console/api/session", json={"username": username, "password": password})
    return client, r


def test_sign_in_sets_a_hardened_cookie_and_returns_the_csrf_token(hub, people):
    client, r = sign_in(hub, people["fire_user"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["agency"] == people["fire"] and body["name"] == "Watch Manager Huw Price"
    assert len(body["csrf"]) >= 24
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert client.get("/console/api/session").json()["username"] == people["fire_user"]


@pytest.mark.parametrize("username, password", [
    ("nobody-here", PASSWORD), (None, "wrong password entirely")])
def test_wrong_credentials_get_the_same_401(hub, people, username, password):
    _, r = sign_in(hub, username or people["fire_user"], password)
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "wrong username or password"  # which one is not said


def test_passwords_are_stored_as_argon2id_hashes(hub, people):
    [(stored,)] = hub.sql("SELECT password_hash FROM operators WHERE username = ?",
                          (people["fire_user"],))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_changes_with_the_cookie_need_the_csrf_header(hub, people):
    police = httpx.Client(base_url=hub.url, headers={
        "Authorization": f"Bearer {people['police_token']}"})
    receipt = police.post("/v1/incidents", json={
        "message_id": str(uuid.uuid4()),
        "recipients": [people["fire"]], "incident": incident()}).json()
    transfer_id = receipt["transfers"][0]["transfer_id"]

    fire, r = sign_in(hub, people["fire_user"])
    csrf = r.json()["csrf"]
    no_token = fire.post(f"/v1/transfers/{transfer_id}/decision", json={"decision": "accepted"})
    assert no_token.status_code == 403
    assert no_token.json()["errors"][0]["field"] == "header.x-csrf-token"
    wrong = fire.post(f"/v1/transfers/{transfer_id}/decision", json={"decision": "accepted"},
                      headers={"X-CSRF-Token": csrf[:-1] + "x"})
    assert wrong.status_code == 403
    assert fire.get(f"/v1/transfers/{transfer_id}").json()["state"] == "stored"

    ok = fire.post(f"/v1/transfers/{transfer_id}/decision",
                   json={"decision": "accepted", "operator": "someone else"},
                   headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    # Recorded under the signed-in operator, whatever the page claimed.
    assert ok.json()["decided_by"] == "Watch Manager Huw Price"


def test_sign_out_ends_the_session_at_once(hub, people):
    client, r = sign_in(hub, people["fire_user"])
    csrf = r.json()["csrf"]
    assert client.delete("/console/api/session").status_code == 403  # CSRF here too
    assert client.delete("/console/api/session",
                         headers={"X-CSRF-Token": csrf}).status_code == 204
    stolen = httpx.Client(base_url=hub.url, cookies={"bl_session": r.cookies["bl_session"]})
    assert stolen.get("/console/api/session").status_code == 401
    assert stolen.get("/v1/transfers").status_code == 401


def test_an_idle_session_expires(hub, people):
    client, _ = sign_in(hub, people["fire_user"])
    assert client.get("/v1/transfers").status_code == 200
    time.sleep(2.5)  # this hub's idle limit is 2 s
    assert client.get("/v1/transfers").status_code == 401
    assert client.get("/console/api/session").status_code == 401


def test_the_console_page_is_served_with_a_strict_policy(hub):
    r = httpx.get(f"{hub.url}/", follow_redirects=True)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert str(r.url).endswith("/console/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    # Nothing in the page comes from another origin.
    assert "http://" not in r.text.replace(hub.url, "") and "https://" not in r.text


def test_the_stream_takes_the_cookie_only_from_this_hubs_pages(hub, people):
    _, r = sign_in(hub, people["fire_user"])
    cookie = f"bl_session={r.cookies['bl_session']}"
    url = hub.url.replace("http://", "ws://") + "/v1/stream"
    host = hub.url.split("://", 1)[1]

    async def attempt(origin: str | None):
        headers = {"Cookie": cookie} | ({"Origin": origin} if origin else {})
        async with websockets.connect(url, additional_headers=headers) as ws:
            return await asyncio.wait_for(ws.recv(), 5)

    assert "live" in asyncio.run(attempt(f"http://{host}"))
    for bad in ["http://evil.example", None]:
        with pytest.raises(InvalidStatus) as refused:
            asyncio.run(attempt(bad))
        assert refused.value.response.status_code == 403
