"""Bad input on the stream, and around it (issue 10 §4): each gets a clean answer (a
problem result frame, a problem response, or a documented close code), the socket
stays usable where it should, and nothing is stored. Also: the batch limit, and the
order submissions reach the store in."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
import websockets

from frames import next_frame
from samples import incident

PROBLEM = "application/problem+json"
WAIT = 15.0  # generous: only ever a bound on waiting for something to arrive
TOO_BIG = 2**63  # one more than a seq can be (SQLite's signed 64-bit INTEGER)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def connect(hub, token: str, query: str = ""):
    url = hub.url.replace("http://", "ws://", 1) + "/v1/stream" + query
    return websockets.connect(url, additional_headers=auth(token), max_size=None)


async def result(ws, corr: str | None = None) -> dict:
    """The next result frame (with this corr, if given); entries frames are skipped."""
    while True:
        frame = await next_frame(ws, WAIT)
        if frame["op"] == "result" and (corr is None or frame.get("corr") == corr):
            return frame


def submit_body(to: str, reference: str | None = None) -> dict:
    return {"message_id": str(uuid.uuid4()), "recipients": [to],
            "incident": incident(reference)}


@pytest.fixture(scope="module")
def log_mark(hub) -> int:
    return (hub.data_dir / "hub.log").stat().st_size


@pytest.fixture
def http(hub):
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        yield client


def assert_problem(r: httpx.Response, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["type"].startswith("urn:bluelight:problem:") and problem["status"] == status
    if field is not None:
        assert problem["errors"][0]["field"] == field, problem
    return problem


def test_seqs_beyond_64_bits_are_422_over_http(hub, http, region, log_mark):
    fire = auth(region.fire.token)
    assert_problem(http.get("/v1/inbox", params={"after": TOO_BIG}, headers=fire), 422,
                   "query.after")
    assert_problem(http.post("/v1/inbox/acks", json={"seqs": [1, TOO_BIG]}, headers=fire),
                   422, "seqs[1]")
    # The largest seq is still a seq.
    assert http.get("/v1/inbox", params={"after": TOO_BIG - 1}, headers=fire).json() == {
        "entries": [], "next_after": TOO_BIG - 1}
    assert http.post("/v1/inbox/acks", json={"seqs": [TOO_BIG - 1]},
                     headers=fire).json() == {"acknowledged": 0}


@pytest.mark.parametrize("after", [str(TOO_BIG), "9" * 5000, "²", "-1"])
async def test_an_after_that_is_not_a_seq_refuses_the_stream_422(hub, region, after):
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with connect(hub, region.fire.token, f"?after={after}"):
            pytest.fail("opened")
    response = refused.value.response
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert json.loads(response.body)["errors"][0]["field"] == "query.after"


async def test_bad_frames_get_a_problem_result_and_leave_the_stream_open(hub, http, region):
    police = region.police
    before = http.get("/v1/transfers", params={"role": "sent"}, headers=auth(police.token))
    async with connect(hub, police.token) as ws:
        assert (await next_frame(ws, WAIT))["op"] == "live"

        await ws.send(json.dumps({"op": "ack", "corr": "big", "seqs": [1, TOO_BIG]}))
        frame = await result(ws, "big")
        assert frame["status"] == 422
        assert frame["body"]["errors"][0]["field"] == "seqs[1]"

        # 100,000 nested arrays (200 KB: within the size limit), alone and as a body.
        await ws.send("[" * 100_000 + "]" * 100_000)
        frame = await result(ws)
        assert frame["status"] == 400
        assert frame["body"]["errors"] == [{"field": "(body)", "fault": "nested too deeply"}]
        await ws.send('{"op":"submit","corr":"deep","body":' + "[" * 100_000
                      + "]" * 100_000 + "}")
        frame = await result(ws)
        assert frame["status"] == 400
        assert frame["body"]["errors"] == [{"field": "(body)", "fault": "nested too deeply"}]

        # One command too many in an array: one answer, and none of them is run.
        too_many = [{"op": "submit", "corr": f"s{i}", "body": submit_body(region.fire.id)}
                    for i in range(101)]
        await ws.send(json.dumps(too_many))
        frame = await result(ws)
        assert frame["status"] == 413 and "corr" not in frame
        assert frame["body"]["errors"] == [{"field": "(body)",
                                            "fault": "more than 100 commands"}]

        # Still open, still working.
        await ws.send(json.dumps({"op": "ack", "corr": "ok", "seqs": [1]}))
        assert (await result(ws, "ok"))["status"] == 200
    after = http.get("/v1/transfers", params={"role": "sent"}, headers=auth(police.token))
    assert after.json() == before.json()  # nothing stored


async def test_submissions_reach_the_store_in_the_order_sent(hub, http, region):
    references = [f"ORD-{uuid.uuid4().hex[:6]}-{i:03d}" for i in range(350)]
    commands = [{"op": "submit", "corr": ref, "body": submit_body(region.fire.id, ref)}
                for ref in references]
    async with connect(hub, region.police.token) as ws:
        assert (await next_frame(ws, WAIT))["op"] == "live"
        # Three full arrays, then single frames: more than may run at once.
        for start in range(0, 300, 100):
            await ws.send(json.dumps(commands[start:start + 100]))
        for command in commands[300:]:
            await ws.send(json.dumps(command))
        statuses = {}
        while len(statuses) < len(references):
            frame = await result(ws)
            statuses[frame["corr"]] = frame["status"]
    assert set(statuses.values()) == {201}
    entries, after = [], 0
    while len(entries) < len(references):
        page = http.get("/v1/inbox", params={"after": after, "limit": 1000},
                        headers=auth(region.fire.token)).json()
        assert page["entries"], "fewer entries than submissions"
        entries += page["entries"]
        after = page["next_after"]
    assert [e["body"]["incident"]["reference"] for e in entries] == references


def test_a_plain_get_of_the_stream_is_a_problem_not_a_404(hub, http, region):
    problem = assert_problem(http.get("/v1/stream"), 401)
    assert problem["type"].endswith(":unauthenticated")
    assert "Bearer" in http.get("/v1/stream").headers["www-authenticate"]
    assert_problem(http.get("/v1/stream", headers=auth("bl_nope_nope")), 401)

    r = http.get("/v1/stream", headers=auth(region.fire.token))
    problem = assert_problem(r, 426, "header.upgrade")
    assert problem["type"].endswith(":upgrade-required")
    assert r.headers["upgrade"] == "websocket"
    assert_problem(http.post("/v1/stream", headers=auth(region.fire.token)), 405)


def test_the_hub_survived_all_of_it(hub, log_mark):
    assert hub.proc.poll() is None
    assert httpx.get(f"{hub.url}/healthz", timeout=10).json() == {"status": "ok", "store": "ok"}
    log = (hub.data_dir / "hub.log").read_bytes()[log_mark:].decode(errors="replace")
    for sign in ("Traceback", "Exception in ASGI", "stream command failed",
                 "stream task failed"):
        assert sign not in log, log[-3000:]
