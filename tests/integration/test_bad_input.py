"""Bad input against a real hub: every fault is a problem+json naming the field, nothing
is half-stored, and the hub keeps running."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from frames import next_frame_sync
from hubprocess import unique
from samples import incident

PROBLEM = "application/problem+json"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Ctx:
    """What a case's request may refer to: the test region and, for cases with setup,
    the incident police already sent to fire."""

    police: str
    fire: str
    ambulance: str
    reference: str | None = None
    transfer_id: str | None = None


def submit(ctx: Ctx, recipients: list[str] | None = None, **incident_changes) -> dict:
    return {"message_id": str(uuid.uuid4()),
            "recipients": [ctx.fire] if recipients is None else recipients,
            "incident": incident(**incident_changes)}


def without(body: dict, dotted: str) -> dict:
    *parents, last = dotted.split(".")
    node = body
    for name in parents:
        node = node[name]
    del node[last]
    return body


def at(location: dict) -> Callable[[Ctx], dict]:
    return lambda c: submit(c, location=location)


def duplicated(ctx: Ctx, key: bytes, twice: bytes) -> bytes:
    """A valid submission with `key` written a second time (`twice`) in its object."""
    body = json.dumps(submit(ctx)).encode()
    assert body.count(key) == 1, body
    return body.replace(key, twice)


def chunked(total: int) -> Callable[[Ctx], Iterator[bytes]]:
    """A body with no Content-Length: the hub must count while it reads."""

    def gen(ctx: Ctx) -> Iterator[bytes]:
        head = json.dumps(submit(ctx))[:-1].encode() + b', "pad": "'
        yield head
        sent = len(head)
        while sent < total:
            yield b"x" * 16384
            sent += 16384
        yield b'"}'

    return gen


@dataclass
class Case:
    id: str
    status: int
    field: str
    json: Callable[[Ctx], Any] | None = None
    content: Callable[[Ctx], Any] | None = None
    method: str = "POST"
    path: str = "/v1/incidents"
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] | None = None
    as_: str = "police"
    setup: bool = False  # police first sends one valid incident to fire


def upd(**update) -> Callable[[Ctx], dict]:
    return lambda c: {"message_id": str(uuid.uuid4()), "update": update}


CASES = [
    # -- the body as a whole
    Case("not-json", 400, "(body)", content=lambda c: b'{"message_id": ',
         headers={"content-type": "application/json"}),
    Case("json-array", 422, "(body)", json=lambda c: [submit(c)]),
    Case("json-string", 422, "(body)", json=lambda c: "an incident"),
    Case("empty-body", 400, "(body)", content=lambda c: b"",
         headers={"content-type": "application/json"}),
    Case("too-large-declared", 413, "(body)",
         json=lambda c: submit(c, notes="x" * 300_000)),
    Case("too-large-chunked", 413, "(body)", content=chunked(300_000),
         headers={"content-type": "application/json"}),
    # A valid body under a media type that is not JSON. "json" somewhere in the header is
    # not enough: the media type itself is parsed.
    *(Case(name, 415, "header.content-type", content=lambda c: json.dumps(submit(c)).encode(),
           headers={"content-type": media_type})
      for name, media_type in [("text-plain", "text/plain"), ("text-notjson", "text/notjson"),
                               ("json-in-a-parameter", "text/plain; format=json"),
                               ("json-not-utf8", "application/json; charset=iso-8859-1")]),
    # A key twice in one object: parsers disagree on which wins, so neither does.
    Case("duplicate-top-level-key", 422, "message_id",
         content=lambda c: duplicated(c, b'"message_id": ', b'"message_id": "'
                                      + str(uuid.uuid4()).encode() + b'", "message_id": '),
         headers={"content-type": "application/json"}),
    Case("duplicate-nested-key", 422, "incident.summary",
         content=lambda c: duplicated(c, b'"summary": ', b'"summary": "Cat up a tree", "summary": '),
         headers={"content-type": "application/json"}),
    Case("duplicate-key-escaped", 422, "incident.location.easting",
         content=lambda c: duplicated(c, b'"easting": ', b'"easting": 1, "e\\u0061sting": '),
         headers={"content-type": "application/json"}),
    # -- the envelope
    Case("missing-message-id", 422, "message_id",
         json=lambda c: without(submit(c), "message_id")),
    Case("message-id-not-uuid", 422, "message_id",
         json=lambda c: submit(c) | {"message_id": "msg-42"}),
    Case("missing-incident", 422, "incident", json=lambda c: without(submit(c), "incident")),
    Case("incident-not-object", 422, "incident", json=lambda c: submit(c) | {"incident": []}),
    Case("recipients-empty", 422, "recipients", json=lambda c: submit(c, [])),
    Case("recipients-not-list", 422, "recipients",
         json=lambda c: submit(c) | {"recipients": c.fire}),
    Case("recipient-unknown", 422, "recipients[0]",
         json=lambda c: submit(c, [f"uk.fire.{unique('nowhere')}"])),
    Case("recipient-malformed-id", 422, "recipients[0]",
         json=lambda c: submit(c, ["South Wales Fire"])),
    Case("recipient-twice", 422, "recipients[1]", json=lambda c: submit(c, [c.fire, c.fire])),
    Case("recipient-self", 422, "recipients[0]", json=lambda c: submit(c, [c.police])),
    Case("recipient-self-after-valid", 422, "recipients[1]",
         json=lambda c: submit(c, [c.fire, c.police])),
    Case("recipient-unknown-after-valid", 422, "recipients[2]",
         json=lambda c: submit(c, [c.fire, c.ambulance, "uk.fire.nowhere-at-all"])),
    # -- the incident
    Case("misspelt-field", 422, "incident.hazzards",
         json=lambda c: submit(c, hazzards=["fuel leak"])),
    Case("sender-claimed", 422, "sender", json=lambda c: submit(c) | {"sender": c.fire}),
    Case("summary-wrong-type", 422, "incident.summary", json=lambda c: submit(c, summary=123)),
    Case("summary-empty", 422, "incident.summary", json=lambda c: submit(c, summary="")),
    Case("summary-too-long", 422, "incident.summary",
         json=lambda c: submit(c, summary="x" * 501)),
    Case("reference-malformed", 422, "incident.reference",
         json=lambda c: submit(c, reference="SWP 0042")),
    Case("type-unknown", 422, "incident.type", json=lambda c: submit(c, type="alien-landing")),
    Case("priority-unknown", 422, "incident.priority",
         json=lambda c: submit(c, priority="whenever")),
    Case("created-at-naive", 422, "incident.created_at",
         json=lambda c: submit(c, created_at="2026-11-23T10:15:00")),
    Case("created-at-not-a-time", 422, "incident.created_at",
         json=lambda c: submit(c, created_at="yesterday")),
    Case("casualty-count-negative", 422, "incident.casualties[0].count",
         json=lambda c: submit(c, casualties=[{"severity": "serious", "count": -1}])),
    Case("casualty-severity-unknown", 422, "incident.casualties[1].severity",
         json=lambda c: submit(c, casualties=[{"severity": "minor", "count": 1},
                                              {"severity": "grazed", "count": 1}])),
    Case("hazard-empty-label", 422, "incident.hazards[0]", json=lambda c: submit(c, hazards=[""])),
    Case("missing-location", 422, "incident.location",
         json=lambda c: without(submit(c), "incident.location")),
    # -- the location
    Case("location-empty", 422, "incident.location", json=at({})),
    Case("location-only-description", 422, "incident.location",
         json=at({"description": "by the big tree"})),
    Case("uprn-letters", 422, "incident.location.uprn", json=at({"uprn": "ABC"})),
    Case("uprn-leading-zero", 422, "incident.location.uprn", json=at({"uprn": "0123"})),
    Case("uprn-13-digits", 422, "incident.location.uprn", json=at({"uprn": "1234567890123"})),
    Case("uprn-number-not-string", 422, "incident.location.uprn",
         json=at({"uprn": 10033544614})),
    Case("easting-without-northing", 422, "incident.location.northing",
         json=at({"easting": 318040})),
    Case("northing-without-easting", 422, "incident.location.easting",
         json=at({"northing": 176420})),
    Case("easting-outside-gb", 422, "incident.location.easting",
         json=at({"easting": 800000, "northing": 176420})),
    Case("northing-outside-gb", 422, "incident.location.northing",
         json=at({"easting": 318040, "northing": 1_400_000})),
    Case("lat-outside-gb", 422, "incident.location.lat", json=at({"lat": 40.0, "lon": -3.0})),
    Case("lon-outside-gb", 422, "incident.location.lon", json=at({"lat": 51.5, "lon": 5.0})),
    Case("lat-off-the-globe", 422, "incident.location.lat",
         json=at({"lat": 91.0, "lon": -3.0})),
    Case("lat-without-lon", 422, "incident.location.lon", json=at({"lat": 51.48})),
    Case("easting-wrong-type", 422, "incident.location.easting",
         json=at({"easting": "318040E", "northing": 176420})),
    Case("reference-reused", 422, "incident.reference", setup=True,
         json=lambda c: submit(c, reference=c.reference)),
    # -- follow-ups
    Case("update-never-sent", 404, "reference", path="/v1/incidents/NOPE-1/updates",
         json=upd(text="more")),
    Case("update-missing-text", 422, "update.text", setup=True,
         path="/v1/incidents/{reference}/updates", json=upd(priority="urgent")),
    Case("update-empty-text", 422, "update.text", setup=True,
         path="/v1/incidents/{reference}/updates", json=upd(text="")),
    Case("update-location-outside-gb", 422, "update.location.lat", setup=True,
         path="/v1/incidents/{reference}/updates",
         json=upd(text="moved", location={"lat": 40.0, "lon": -3.0})),
    Case("update-unknown-priority", 422, "update.priority", setup=True,
         path="/v1/incidents/{reference}/updates", json=upd(text="x", priority="asap")),
    Case("closure-missing-outcome", 422, "closure.outcome", setup=True,
         path="/v1/incidents/{reference}/closure",
         json=lambda c: {"message_id": str(uuid.uuid4()), "closure": {"text": "done"}}),
    Case("cancellation-empty-reason", 422, "reason", setup=True,
         path="/v1/incidents/{reference}/cancellation",
         json=lambda c: {"message_id": str(uuid.uuid4()), "reason": ""}),
    # -- decisions and acknowledgements (by the recipient)
    Case("decision-unknown", 422, "decision", setup=True, as_="fire",
         path="/v1/transfers/{transfer_id}/decision", json=lambda c: {"decision": "maybe"}),
    Case("decision-missing", 422, "decision", setup=True, as_="fire",
         path="/v1/transfers/{transfer_id}/decision", json=lambda c: {"operator": "A. Jones"}),
    Case("rejected-without-reason", 422, "reason", setup=True, as_="fire",
         path="/v1/transfers/{transfer_id}/decision", json=lambda c: {"decision": "rejected"}),
    Case("rejected-blank-reason", 422, "reason", setup=True, as_="fire",
         path="/v1/transfers/{transfer_id}/decision",
         json=lambda c: {"decision": "rejected", "reason": "   "}),
    Case("ack-empty", 422, "seqs", setup=True, as_="fire", path="/v1/inbox/acks",
         json=lambda c: {"seqs": []}),
    Case("ack-negative-seq", 422, "seqs[0]", setup=True, as_="fire", path="/v1/inbox/acks",
         json=lambda c: {"seqs": [-1]}),
    Case("ack-seq-not-int", 422, "seqs[0]", setup=True, as_="fire", path="/v1/inbox/acks",
         json=lambda c: {"seqs": ["1"]}),
    # -- query parameters
    Case("inbox-after-negative", 422, "query.after", method="GET", path="/v1/inbox",
         params={"after": "-1"}, as_="fire"),
    Case("inbox-after-not-int", 422, "query.after", method="GET", path="/v1/inbox",
         params={"after": "latest"}, as_="fire"),
    Case("inbox-limit-zero", 422, "query.limit", method="GET", path="/v1/inbox",
         params={"limit": "0"}, as_="fire"),
    Case("inbox-limit-not-int", 422, "query.limit", method="GET", path="/v1/inbox",
         params={"limit": "abc"}, as_="fire"),
    Case("inbox-limit-too-big", 422, "query.limit", method="GET", path="/v1/inbox",
         params={"limit": "1001"}, as_="fire"),
    Case("transfers-state-unknown", 422, "query.state", method="GET", path="/v1/transfers",
         params={"state": "bogus"}),
    Case("transfers-role-unknown", 422, "query.role", method="GET", path="/v1/transfers",
         params={"role": "boss"}),
    Case("stats-since-negative", 422, "query.since", method="GET", path="/v1/stats",
         params={"since": "-5"}),
]


@pytest.fixture(scope="module")
def log_mark(hub) -> int:
    """Where the hub's log stood when this module started."""
    return (hub.data_dir / "hub.log").stat().st_size


@pytest.fixture(autouse=True)
def hub_survives(hub, log_mark):
    yield
    assert hub.proc.poll() is None, "the hub process died"


@pytest.fixture
def http(hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        yield client


def assert_problem(r: httpx.Response, status: int, field: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    problem = r.json()
    assert problem["type"].startswith("urn:bluelight:problem:")
    assert problem["status"] == status
    assert problem["title"]
    assert problem["errors"], problem
    assert problem["errors"][0]["field"] == field, problem
    assert problem["errors"][0]["fault"].strip()
    return problem


def snapshot(http: httpx.Client, region) -> dict:
    """Everything each agency of the region can see: what it sent and received, and its
    whole mailbox (acknowledged or not)."""
    seen = {}
    for name in ("police", "fire", "ambulance", "coastguard"):
        token = auth(getattr(region, name).token)
        seen[name] = {
            "transfers": http.get("/v1/transfers", headers=token).json(),
            "mailbox": http.get("/v1/inbox", params={"after": 0}, headers=token).json(),
        }
    return seen


def send_one(http: httpx.Client, region, ctx: Ctx, **changes) -> dict:
    body = submit(ctx, **changes)
    r = http.post("/v1/incidents", headers=auth(region.police.token), json=body)
    assert r.status_code == 201, r.text
    ctx.reference = body["incident"]["reference"]
    ctx.transfer_id = r.json()["transfers"][0]["transfer_id"]
    return body


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_and_nothing_is_stored(http, region, case: Case):
    ctx = Ctx(police=region.police.id, fire=region.fire.id, ambulance=region.ambulance.id)
    if case.setup:
        send_one(http, region, ctx)
    before = snapshot(http, region)
    sent_before = len(http.get("/v1/transfers", params={"role": "sent"},
                               headers=auth(region.police.token)).json())

    r = http.request(
        case.method, case.path.format(reference=ctx.reference, transfer_id=ctx.transfer_id),
        headers=auth(getattr(region, case.as_).token) | case.headers, params=case.params,
        json=case.json(ctx) if case.json else None,
        content=case.content(ctx) if case.content else None,
    )
    assert_problem(r, case.status, case.field)

    sent_after = http.get("/v1/transfers", params={"role": "sent"},
                          headers=auth(region.police.token)).json()
    assert len(sent_after) == sent_before
    fire_inbox = http.get("/v1/inbox", params={"after": 0},
                          headers=auth(region.fire.token)).json()["entries"]
    assert len(fire_inbox) == (1 if case.setup else 0)
    assert snapshot(http, region) == before


def test_declared_oversize_is_refused_without_reading_the_body(hub, http, region):
    """A client that declares a gigabyte gets 413 at once: the hub does not wait for it."""
    before = snapshot(http, region)
    request = (
        "POST /v1/incidents HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{hub.port}\r\n"
        f"Authorization: Bearer {region.police.token}\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 1000000000\r\n"
        "Connection: close\r\n\r\n{"
    ).encode()
    with socket.create_connection(("127.0.0.1", hub.port), timeout=5) as sock:
        sock.sendall(request)
        raw = b""
        while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), raw[:300]
    assert b"content-type: application/problem+json" in head.lower()
    problem = json.loads(body)
    assert problem["errors"][0]["field"] == "(body)"
    assert snapshot(http, region) == before


def test_reused_message_id_with_other_content_is_a_conflict(http, region):
    ctx = Ctx(police=region.police.id, fire=region.fire.id, ambulance=region.ambulance.id)
    police = auth(region.police.token)
    original = send_one(http, region, ctx)
    first = http.get(f"/v1/transfers/{ctx.transfer_id}", headers=police).json()
    before = snapshot(http, region)

    changed = json.loads(json.dumps(original))
    changed["incident"]["summary"] = "Something else entirely"
    r = http.post("/v1/incidents", headers=police, json=changed)
    problem = assert_problem(r, 409, "message_id")
    assert problem["type"] == "urn:bluelight:problem:conflict"

    # Other recipients under the same id are a conflict too.
    other = original | {"recipients": [region.ambulance.id]}
    assert_problem(http.post("/v1/incidents", headers=police, json=other), 409, "message_id")

    assert snapshot(http, region) == before
    now = http.get(f"/v1/transfers/{ctx.transfer_id}", headers=police).json()
    assert now == first
    assert now["incident"]["summary"] == original["incident"]["summary"]

    # The identical message again is a harmless resubmission: the first receipt, 200.
    again = http.post("/v1/incidents", headers=police, json=original)
    assert again.status_code == 200
    assert again.json()["transfers"][0]["transfer_id"] == ctx.transfer_id
    assert snapshot(http, region) == before


def ws_url(hub) -> str:
    return hub.url.replace("http://", "ws://", 1) + "/v1/stream"


def next_result(ws) -> dict:
    while True:
        frame = next_frame_sync(ws, 5)
        if frame["op"] == "result":
            return frame


STREAM_CASES = [
    ("garbage-text", lambda c: "this is not json", None, 400, "(body)"),
    # An array is a batch of frames; each element is answered on its own.
    ("json-array", lambda c: json.dumps([1]), None, 422, "(body)"),
    ("unknown-op", lambda c: json.dumps({"op": "dance", "corr": "c0"}), "c0", 422, "op"),
    ("submit-without-body", lambda c: json.dumps({"op": "submit", "corr": "c1"}), "c1", 422,
     "body"),
    ("submit-invalid-body",
     lambda c: json.dumps({"op": "submit", "corr": "c2",
                           "body": submit(c, summary=123)}), "c2", 422,
     "incident.summary"),
    ("submit-outside-gb",
     lambda c: json.dumps({"op": "submit", "corr": "c3",
                           "body": submit(c, location={"lat": 40.0, "lon": -3.0})}),
     "c3", 422, "incident.location.lat"),
    ("submit-to-self",
     lambda c: json.dumps({"op": "submit", "corr": "c4", "body": submit(c, [c.police])}),
     "c4", 422, "recipients[0]"),
    ("ack-empty", lambda c: json.dumps({"op": "ack", "corr": "c5", "seqs": []}), "c5", 422,
     "seqs"),
    ("decide-unknown-transfer",
     lambda c: json.dumps({"op": "decide", "corr": "c6", "transfer_id": "tr_nope",
                           "body": {"decision": "accepted"}}), "c6", 404, None),
]


def test_bad_frames_on_the_stream_leave_it_open(hub, http, region):
    ctx = Ctx(police=region.police.id, fire=region.fire.id, ambulance=region.ambulance.id)
    before = snapshot(http, region)
    with connect(ws_url(hub), additional_headers=auth(region.police.token),
                 open_timeout=10) as ws:
        for name, frame, corr, status, field_ in STREAM_CASES:
            ws.send(frame(ctx))
            result = next_result(ws)
            assert result["status"] == status, (name, result)
            assert result.get("corr") == corr, (name, result)
            body = result["body"]
            assert body["type"].startswith("urn:bluelight:problem:"), (name, body)
            assert body["status"] == status, (name, body)
            if field_ is not None:
                assert body["errors"][0]["field"] == field_, (name, body)
                assert body["errors"][0]["fault"].strip(), (name, body)
        assert snapshot(http, region) == before

        # Still open, and still working: a valid submit over the same socket succeeds.
        ws.send(json.dumps({"op": "submit", "corr": "ok", "body": submit(ctx)}))
        result = next_result(ws)
        assert result["corr"] == "ok" and result["status"] == 201, result
        assert result["body"]["transfers"][0]["recipient"] == region.fire.id
    sent = http.get("/v1/transfers", params={"role": "sent"},
                    headers=auth(region.police.token)).json()
    assert [t["transfer_id"] for t in sent] == [result["body"]["transfers"][0]["transfer_id"]]


def test_the_hub_survived_all_of_it(hub, log_mark):
    assert hub.proc.poll() is None
    with httpx.Client(base_url=hub.url, timeout=5) as http:
        assert http.get("/healthz").json() == {"status": "ok", "store": "ok"}
    log = (hub.data_dir / "hub.log").read_bytes()[log_mark:].decode(errors="replace")
    for sign in ("unhandled error", "stream command failed", "stream push failed"):
        assert sign not in log, log[-3000:]
