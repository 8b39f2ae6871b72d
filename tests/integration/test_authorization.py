"""Who may do what, against a real hub.

First the credential matrix: every endpoint, HTTP and WebSocket, refuses a missing,
malformed, unknown or tampered credential with 401 problem+json and WWW-Authenticate.
Then the resource rules with valid tokens: an agency sees and changes only transfers it
is party to, and another agency's transfer looks exactly like one that does not exist.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from frames import next_frame_sync
from hubprocess import unique
from samples import incident, reference

PROBLEM = "application/problem+json"
STREAM = "WS /v1/stream"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submission(recipients: list[str], **changes) -> dict:
    return {"message_id": str(uuid.uuid4()), "recipients": recipients,
            "incident": incident(**changes)}


def missing_transfer() -> str:
    return f"tr_{secrets.token_hex(8)}"


def ws_url(hub, query: str = "") -> str:
    return hub.url.replace("http://", "ws://", 1) + "/v1/stream" + query


# Every endpoint behind a credential, with a body that would otherwise be acceptable
# (authentication must come before anything else is looked at).
ENDPOINTS = [
    ("GET", "/v1/agencies", None),
    ("POST", "/v1/incidents", lambda: submission(["uk.fire.somewhere"])),
    ("POST", "/v1/incidents/SWP-1/updates",
     lambda: {"message_id": str(uuid.uuid4()), "update": {"text": "more"}}),
    ("POST", "/v1/incidents/SWP-1/closure",
     lambda: {"message_id": str(uuid.uuid4()), "closure": {"outcome": "done"}}),
    ("POST", "/v1/incidents/SWP-1/cancellation",
     lambda: {"message_id": str(uuid.uuid4()), "reason": "sent in error"}),
    ("GET", "/v1/transfers", None),
    ("GET", "/v1/transfers/tr_0123456789abcdef", None),
    ("GET", "/v1/transfers/tr_0123456789abcdef/timeline", None),
    ("POST", "/v1/transfers/tr_0123456789abcdef/decision", lambda: {"decision": "accepted"}),
    ("GET", "/v1/inbox", None),
    ("POST", "/v1/inbox/acks", lambda: {"seqs": [1]}),
    ("GET", "/v1/stats", None),
    ("WS", "/v1/stream", None),
]

CREDENTIALS = ["none", "basic", "bearer-without-token", "real-token-other-scheme", "not-a-token",
               "unknown-token", "wrong-secret"]


@pytest.fixture(scope="module")
def known_token(hub) -> str:
    """One real agency, whose token is tampered with for the wrong-secret case."""
    return hub.add_agency(f"uk.police.{unique('auth')}", "police")


def credential_headers(kind: str, real_token: str) -> dict[str, str]:
    match kind:
        case "none":
            return {}
        case "basic":
            return {"Authorization": "Basic xxx"}
        case "bearer-without-token":
            return {"Authorization": "Bearer"}
        case "real-token-other-scheme":
            return {"Authorization": f"Token {real_token}"}
        case "not-a-token":
            return auth("garbage")
        case "unknown-token":
            return auth("bl_000000000000_xxxx")
        case "wrong-secret":
            last = "A" if real_token[-1] != "A" else "B"
            return auth(real_token[:-1] + last)
    raise AssertionError(kind)


def assert_unauthenticated(status: int, headers, body: bytes) -> None:
    assert status == 401
    assert headers["content-type"].startswith(PROBLEM)
    assert headers["www-authenticate"].lower().startswith("bearer")
    problem = json.loads(body)
    assert problem["type"] == "urn:bluelight:problem:unauthenticated"
    assert problem["status"] == 401


@pytest.mark.parametrize("kind", CREDENTIALS)
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_bad_credentials_are_refused(hub, known_token, method, path, body, kind):
    headers = credential_headers(kind, known_token)
    with httpx.Client(base_url=hub.url, timeout=10) as http:
        # The real token works (and is now in the hub's cache): a tampered copy must not.
        assert http.get("/v1/inbox", headers=auth(known_token)).status_code == 200
        if method == "WS":
            with pytest.raises(InvalidStatus) as refused, \
                    connect(ws_url(hub), additional_headers=headers, open_timeout=10):
                pass
            response = refused.value.response
            assert_unauthenticated(response.status_code, response.headers, response.body)
            return
        r = http.request(method, path, headers=headers,
                         json=body() if body is not None else None)
        assert_unauthenticated(r.status_code, r.headers, r.content)
    # Nothing was done in anyone's name.
    with httpx.Client(base_url=hub.url, timeout=10) as http:
        assert http.get("/v1/transfers", headers=auth(known_token)).json() == []


# --- resource rules --------------------------------------------------------------------


@pytest.fixture
def http(hub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hub.url, timeout=10) as client:
        yield client


@pytest.fixture
def outsider(hub) -> str:
    """A fire service of another region: a valid token, no relation to the test region."""
    return hub.add_agency(f"uk.fire.{unique('elsewhere')}", "fire")


@pytest.fixture
def police_to_fire(http, region) -> dict:
    """Police sends one incident to the fire service only."""
    sent = incident()
    r = http.post("/v1/incidents", headers=auth(region.police.token),
                  json={"message_id": str(uuid.uuid4()), "recipients": [region.fire.id],
                        "incident": sent})
    assert r.status_code == 201, r.text
    receipt = r.json()
    (transfer,) = receipt["transfers"]
    return {"reference": sent["reference"], "transfer_id": transfer["transfer_id"],
            "incident_id": receipt["incident_id"]}


TRANSFER_SCOPED = [
    ("GET", "/v1/transfers/{}", None),
    ("GET", "/v1/transfers/{}/timeline", None),
    ("POST", "/v1/transfers/{}/decision", {"decision": "accepted", "operator": "intruder"}),
]


def without_instance(problem: dict) -> dict:
    return {k: v for k, v in problem.items() if k != "instance"}


def state_of(http, token: str, transfer_id: str) -> str:
    r = http.get(f"/v1/transfers/{transfer_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    return r.json()["state"]


@pytest.mark.parametrize("who", ["ambulance", "other-region"])
@pytest.mark.parametrize(("method", "path", "body"), TRANSFER_SCOPED,
                         ids=["transfer", "timeline", "decision"])
def test_others_transfer_is_indistinguishable_from_a_missing_one(
        http, region, outsider, police_to_fire, method, path, body, who):
    token = region.ambulance.token if who == "ambulance" else outsider
    tid = police_to_fire["transfer_id"]

    theirs = http.request(method, path.format(tid), headers=auth(token), json=body)
    missing = http.request(method, path.format(missing_transfer()), headers=auth(token),
                           json=body)

    assert theirs.status_code == missing.status_code == 404
    assert theirs.headers["content-type"] == missing.headers["content-type"] == PROBLEM
    assert without_instance(theirs.json()) == without_instance(missing.json())
    assert theirs.json()["type"] == "urn:bluelight:problem:not-found"
    leaked = json.dumps(without_instance(theirs.json()))  # instance echoes the request path
    assert tid not in leaked and police_to_fire["reference"] not in leaked
    # Nothing changed for the real parties.
    assert state_of(http, region.police.token, tid) == "stored"
    timeline = http.get(f"/v1/transfers/{tid}/timeline", headers=auth(region.fire.token))
    assert [e["kind"] for e in timeline.json()["events"]] == ["submitted", "stored"]


def test_sender_reads_but_cannot_decide(http, region, police_to_fire):
    tid = police_to_fire["transfer_id"]
    police = auth(region.police.token)
    view = http.get(f"/v1/transfers/{tid}", headers=police)
    assert view.status_code == 200
    assert view.json()["sender"] == region.police.id
    assert view.json()["incident"]["reference"] == police_to_fire["reference"]
    timeline = http.get(f"/v1/transfers/{tid}/timeline", headers=police)
    assert timeline.status_code == 200 and timeline.json()["transfer_id"] == tid

    r = http.post(f"/v1/transfers/{tid}/decision", headers=police,
                  json={"decision": "accepted"})
    assert r.status_code == 403
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["type"] == "urn:bluelight:problem:forbidden"
    assert state_of(http, region.fire.token, tid) == "stored"


def test_recipient_reads_and_decides(http, region, police_to_fire):
    tid = police_to_fire["transfer_id"]
    fire = auth(region.fire.token)
    assert http.get(f"/v1/transfers/{tid}", headers=fire).status_code == 200
    assert http.get(f"/v1/transfers/{tid}/timeline", headers=fire).status_code == 200
    r = http.post(f"/v1/transfers/{tid}/decision", headers=fire,
                  json={"decision": "accepted", "operator": "Watch Manager Price"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "accepted"
    assert state_of(http, region.police.token, tid) == "accepted"


INCIDENT_SCOPED = [
    ("updates", lambda: {"message_id": str(uuid.uuid4()), "update": {"text": "hijack"}}),
    ("closure", lambda: {"message_id": str(uuid.uuid4()), "closure": {"outcome": "hijack"}}),
    ("cancellation", lambda: {"message_id": str(uuid.uuid4()), "reason": "hijack"}),
]


@pytest.mark.parametrize("who", ["fire", "ambulance"])
@pytest.mark.parametrize(("action", "body"), INCIDENT_SCOPED,
                         ids=[a for a, _ in INCIDENT_SCOPED])
def test_only_the_sender_can_follow_up_its_incident(http, region, police_to_fire, action,
                                                    body, who):
    token = getattr(region, who).token
    ref = police_to_fire["reference"]
    r = http.post(f"/v1/incidents/{ref}/{action}", headers=auth(token), json=body())
    never = http.post(f"/v1/incidents/{reference('NEVER')}/{action}", headers=auth(token),
                      json=body())

    assert r.status_code == never.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    assert r.json()["errors"][0]["field"] == "reference"
    shape = ("type", "title", "status", "errors")
    assert {k: r.json()[k] for k in shape} == {k: never.json()[k] for k in shape}

    # The police incident is untouched and fire was told nothing beyond the offer.
    view = http.get(f"/v1/transfers/{police_to_fire['transfer_id']}",
                    headers=auth(region.police.token)).json()
    assert view["incident_status"] == "open" and view["state"] == "stored"
    assert "hijack" not in json.dumps(view)
    entries = http.get("/v1/inbox", params={"after": 0},
                       headers=auth(region.fire.token)).json()["entries"]
    assert [e["kind"] for e in entries] == ["incident.new"]


def transfers(http, token: str, **params) -> list[dict]:
    r = http.get("/v1/transfers", headers=auth(token), params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_transfer_list_shows_only_own_transfers(http, region, police_to_fire):
    tid = police_to_fire["transfer_id"]

    def ids(token: str, **params) -> set[str]:
        return {t["transfer_id"] for t in transfers(http, token, **params)}

    assert ids(region.ambulance.token) == set()
    assert ids(region.ambulance.token, role="received") == set()
    assert ids(region.coastguard.token, role="sent") == set()
    assert ids(region.fire.token) == {tid}
    assert ids(region.fire.token, role="received") == {tid}
    assert ids(region.fire.token, role="sent") == set()
    assert ids(region.police.token) == {tid}
    assert ids(region.police.token, role="sent") == {tid}
    assert ids(region.police.token, role="received") == set()


def test_third_party_inbox_and_stream_never_carry_others_traffic(hub, http, region,
                                                                  police_to_fire):
    ambulance = auth(region.ambulance.token)
    with connect(ws_url(hub, "?after=0"), additional_headers=ambulance,
                 open_timeout=10) as ws:
        seen: list[dict] = []
        # A marker sent to the ambulance: when it arrives, the stream has caught up.
        r = http.post("/v1/incidents", headers=auth(region.police.token),
                      json=submission([region.ambulance.id]))
        assert r.status_code == 201
        marker = r.json()["transfers"][0]["transfer_id"]
        while marker not in {e.get("transfer_id") for e in seen}:
            frame = next_frame_sync(ws, 5)
            if frame["op"] == "entries":
                seen.extend(frame["entries"])
    assert all(e["transfer_id"] != police_to_fire["transfer_id"] for e in seen)
    assert all(e["incident_id"] != police_to_fire["incident_id"] for e in seen)

    inbox = http.get("/v1/inbox", params={"after": 0}, headers=ambulance).json()["entries"]
    assert [e["transfer_id"] for e in inbox] == [marker]
    assert police_to_fire["reference"] not in json.dumps(inbox)


def test_acknowledging_someone_elses_entries_does_nothing(http, region, police_to_fire):
    fire_inbox = http.get("/v1/inbox", headers=auth(region.fire.token)).json()["entries"]
    seqs = [e["seq"] for e in fire_inbox]
    assert seqs

    r = http.post("/v1/inbox/acks", headers=auth(region.ambulance.token), json={"seqs": seqs})
    assert r.status_code == 200
    assert r.json() == {"acknowledged": 0}

    assert state_of(http, region.police.token, police_to_fire["transfer_id"]) == "stored"
    still = http.get("/v1/inbox", headers=auth(region.fire.token)).json()["entries"]
    assert [e["seq"] for e in still] == seqs
    # The real recipient can still acknowledge them.
    r = http.post("/v1/inbox/acks", headers=auth(region.fire.token), json={"seqs": seqs})
    assert r.json() == {"acknowledged": len(seqs)}
    assert state_of(http, region.police.token, police_to_fire["transfer_id"]) == "delivered"


def test_stats_show_only_own_pairs(http, region, police_to_fire):
    def pairs(token: str) -> set[tuple[str, str]]:
        r = http.get("/v1/stats", headers=auth(token))
        assert r.status_code == 200, r.text
        return {(p["sender"], p["recipient"]) for p in r.json()["pairs"]}

    pair = (region.police.id, region.fire.id)
    assert pair not in pairs(region.ambulance.token)
    assert pairs(region.ambulance.token) == set()
    assert http.get("/v1/stats", headers=auth(region.ambulance.token)).json()["transfers"] == 0
    assert pair in pairs(region.fire.token)
    assert pair in pairs(region.police.token)


def test_an_agency_can_only_send_as_itself(http, region):
    """There is no sender field: the sender is the authenticated agency. A body that
    claims another sender is refused outright (unknown fields are errors), and an honest
    body is recorded as sent by the caller."""
    body = submission([region.ambulance.id]) | {"sender": region.fire.id}
    r = http.post("/v1/incidents", headers=auth(region.police.token), json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "sender"
    assert transfers(http, region.police.token, role="sent") == []

    r = http.post("/v1/incidents", headers=auth(region.police.token),
                  json=submission([region.ambulance.id]))
    assert r.status_code == 201, r.text
    tid = r.json()["transfers"][0]["transfer_id"]
    view = http.get(f"/v1/transfers/{tid}", headers=auth(region.ambulance.token)).json()
    assert view["sender"] == region.police.id
    (offer,) = http.get("/v1/inbox", headers=auth(region.ambulance.token)).json()["entries"]
    assert offer["body"]["sender"] == region.police.id
    assert transfers(http, region.fire.token) == []
    assert [t["transfer_id"] for t in transfers(http, region.police.token, role="sent")] == [tid]
