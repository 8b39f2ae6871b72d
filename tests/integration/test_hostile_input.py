"""What an outside attacker found (issue 10): input nested past the parser's limit, keys
given twice, media types that only mention JSON, requests uvicorn cannot parse and wrong
methods. Each is answered with problem details, nothing is stored and the hub stays up."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid

import httpx
import pytest
import uvicorn
from websockets.sync.client import connect

from bluelight.kernel.http_protocol import ProblemH11Protocol
from frames import next_frame_sync
from hubprocess import free_port, unique
from samples import incident

PROBLEM = "application/problem+json"
DEEP = b"[" * 50_000 + b"]" * 50_000  # 100 KB, under the body limit
PASSWORD = "a long enough password"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submission(recipient: str) -> dict:
    return {"message_id": str(uuid.uuid4()), "recipients": [recipient], "incident": incident()}


def twice(body: dict, key: str, first_value: str) -> bytes:
    """`body` as JSON with `key` written twice in its object: first `first_value`, then
    the real value (which msgspec and Python's json would keep)."""
    raw = json.dumps(body).encode()
    needle = f'"{key}": '.encode()
    assert raw.count(needle) == 1
    return raw.replace(needle, needle + json.dumps(first_value).encode() + b", " + needle)


def problem_of(r: httpx.Response, status: int, field: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["status"] == status
    assert problem["errors"][0]["field"] == field, problem
    return problem


def sent_by(http: httpx.Client, token: str) -> list:
    return http.get("/v1/transfers", params={"role": "sent"}, headers=auth(token)).json()


@pytest.fixture
def http(hub):
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        yield client


@pytest.fixture(autouse=True)
def hub_survives(hub):
    mark = (hub.data_dir / "hub.log").stat().st_size
    yield
    assert hub.proc.poll() is None, "the hub process died"
    log = (hub.data_dir / "hub.log").read_bytes()[mark:].decode(errors="replace")
    assert "unhandled error" not in log, log[-3000:]


@pytest.fixture
def admin(hub, region, http):
    """A signed-in administrator's console client and its CSRF header."""
    username = unique("admin")
    hub.add_operator(username, region.police.id, "Insp Rhian Hughes", PASSWORD, role="admin")
    r = http.post("/console/api/session", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf"]}


# -- nesting ---------------------------------------------------------------------------

def test_input_nested_past_the_parsers_limit_is_a_400_not_a_500(hub, http, region, admin):
    # The agency body accepts (and skips) unknown fields: skipping recurses, and the
    # RecursionError escaped `routing.decode` as a 500. Console, workbench and API
    # endpoints all decode through it.
    agency_id = f"uk.fire.{unique('deep')}"
    body = json.dumps({"id": agency_id, "name": "Deep", "service": "fire",
                       "phone": "01443 232000", "extra": "HERE"}).encode()
    r = http.post("/v1/admin/agencies", content=body.replace(b'"HERE"', DEEP),
                  headers=admin | {"content-type": "application/json"})
    problem = problem_of(r, 400, "(body)")
    assert problem["type"] == "urn:bluelight:problem:too-deep"
    agencies = http.get("/v1/agencies", headers=auth(region.police.token)).json()
    assert agency_id not in [a["id"] for a in agencies]

    # A document in another standard: the gateway's format detection parsed it and 500ed.
    r = http.post("/v1/messages", content=b'{"eidoVersion": ' + DEEP + b"}",
                  headers=auth(region.police.token) | {"content-type": "application/json"})
    assert problem_of(r, 400, "(body)")["type"] == "urn:bluelight:problem:too-deep"
    assert sent_by(http, region.police.token) == []


# -- duplicate keys --------------------------------------------------------------------

def test_a_key_given_twice_is_refused_on_every_json_path(hub, http, region):
    police = auth(region.police.token)
    body = submission(region.fire.id)

    # A document sent to the gateway (here in bluelight's own format).
    raw = twice(body, "summary", "Cat up a tree")
    r = http.post("/v1/messages", params={"format": "bluelight"}, content=raw,
                  headers=police | {"content-type": "application/json"})
    problem_of(r, 422, "incident.summary")

    # A command on the WebSocket: its body is named as on HTTP.
    frame = twice({"op": "submit", "corr": "dup", "body": body}, "priority", "non-emergency")
    with connect(hub.url.replace("http://", "ws://", 1) + "/v1/stream",
                 additional_headers=police, open_timeout=10) as ws:
        ws.send(frame.decode())
        while (result := next_frame_sync(ws, 5))["op"] != "result":
            pass
    assert result["status"] == 422 and result["corr"] == "dup", result
    assert result["body"]["errors"][0]["field"] == "incident.priority", result

    assert sent_by(http, region.police.token) == []
    # The same body with each key once is accepted: only the duplicate was refused.
    r = http.post("/v1/incidents", json=body, headers=police)
    assert r.status_code == 201, r.text


# -- media types -----------------------------------------------------------------------

@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "Application/JSON",
                                   "application/vnd.bluelight.incident+json",
                                   'application/json;charset="UTF-8"'])
def test_json_media_types_with_parameters_are_accepted(http, region, ctype):
    r = http.post("/v1/incidents", content=json.dumps(submission(region.fire.id)),
                  headers=auth(region.police.token) | {"content-type": ctype})
    assert r.status_code == 201, r.text


# -- wrong methods ---------------------------------------------------------------------

def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", template)


def test_a_405_lists_every_method_the_path_supports(hub, http):
    """For every path in the OpenAPI document: Allow names all its methods, not just
    those of the first route Starlette matched."""
    spec = http.get("/openapi.json").json()["paths"]
    templates = {t: re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$") for t in spec}
    checked = 0
    for template in spec:
        if template == "/v1/stream":  # a WebSocket
            continue
        path = _concrete(template)
        matching = [t for t, rx in templates.items() if rx.match(path)]
        # A literal path (".../assessments/statements") is that resource alone, not also
        # an id of the templated one beside it (".../{assessment_id}").
        matching = [path] if path in spec else matching
        expected = {m.upper() for t in matching for m in spec[t]}
        expected |= {"HEAD"} if "GET" in expected else set()
        method = next(m for m in ("PUT", "PATCH", "DELETE", "POST") if m not in expected)
        r = http.request(method, path)
        problem = problem_of(r, 405, "(method)")
        assert set(r.headers["allow"].split(", ")) == expected, (template, r.headers)
        assert problem["type"] == "urn:bluelight:problem:method-not-allowed"
        checked += 1
    assert checked > 30  # the document really was walked


# -- requests uvicorn cannot parse -----------------------------------------------------

NOT_HTTP = [
    b"THIS IS NOT HTTP\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n",
    b"POST /v1/incidents HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
]


def assert_answered_with_a_problem(port: int, request_bytes: bytes) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request_bytes)
        raw = b""
        while chunk := sock.recv(65536):  # the server closes the connection after it
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), raw[:300]
    assert f"content-type: {PROBLEM}".encode() in head.lower()
    problem = json.loads(body)
    assert problem["type"] == "urn:bluelight:problem:bad-request"
    assert problem["errors"][0]["field"] == "(request)"


@pytest.mark.parametrize("request_bytes", NOT_HTTP, ids=["request-line", "header", "chunk"])
def test_a_request_that_is_not_http_gets_a_problem(hub, request_bytes):
    assert_answered_with_a_problem(hub.port, request_bytes)


def test_the_h11_protocol_answers_with_problems_too():
    """The hub runs httptools (uvicorn[standard]); h11 is uvicorn's fallback."""
    async def app(scope, receive, send):  # never reached by these requests
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           http=ProblemH11Protocol, lifespan="off",
                                           log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started
        for request_bytes in NOT_HTTP:
            assert_answered_with_a_problem(port, request_bytes)
    finally:
        server.should_exit = True
        thread.join(10)
