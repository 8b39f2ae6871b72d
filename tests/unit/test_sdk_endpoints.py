"""The SDK's endpoint list, against a fake transport: which calls go to the next endpoint,
which do not, and that trying is bounded. (tests/integration/test_sdk_failover.py does it
with real hubs.)"""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from bluelight.client import Client, HubError, Unavailable
from samples import incident

A, B = "http://a.test", "http://b.test"
RECEIPT = {"message_id": str(uuid.UUID(int=1)), "incident_id": "inc_1", "reference": "R-1",
           "kind": "incident", "status": "stored", "stored_at": 1.0, "transfers": []}
VIEW = {"transfer_id": "tr_1", "incident_id": "inc_1", "reference": "R-1",
        "sender": "uk.police.x", "recipient": "uk.fire.x", "state": "accepted",
        "incident_status": "open", "submitted_at": 1.0, "stored_at": 1.0}


class Fake:
    """Answers per host: an exception to raise, or a status (with `body` when 2xx)."""

    def __init__(self, **hosts) -> None:
        self.hosts = hosts
        self.seen: list[tuple[str, str, bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.host, request.url.path, request.content))
        answer = self.hosts[request.url.host.split(".")[0]]
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer("fake", request=request)
        status, body = answer
        return httpx.Response(status, json=body)

    @property
    def hosts_tried(self) -> list[str]:
        return [host.split(".")[0] for host, _, _ in self.seen]


def client(fake: Fake, **kwargs) -> Client:
    kwargs.setdefault("endpoints", [A, B])
    return Client(token="t", transport=httpx.MockTransport(fake), **kwargs)


def test_one_base_url_or_a_list_of_endpoints():
    assert Client(A + "/", "t").endpoints == (A,)
    assert Client(A, "t").base_url == A  # as before
    assert Client(endpoints=[A, B + "/"], token="t").endpoints == (A, B)
    with pytest.raises(TypeError):
        Client(A, "t", endpoints=[B])
    with pytest.raises(TypeError):
        Client(token="t")
    with pytest.raises(TypeError):
        Client(endpoints=[A])
    with pytest.raises(ValueError):
        Client(endpoints=[], token="t")
    with pytest.raises(ValueError):
        Client(endpoints=A, token="t")


async def test_a_read_moves_on_from_a_refused_endpoint_and_stays_on_the_next():
    fake = Fake(a=httpx.ConnectError, b=(200, []))
    async with client(fake) as hub:
        assert await hub.agencies() == []
        assert hub.base_url == B
        assert await hub.agencies() == []
    assert fake.hosts_tried == ["a", "b", "b"]


@pytest.mark.parametrize("failure", [502, 503, 504, httpx.ReadTimeout,
                                     httpx.RemoteProtocolError])
async def test_a_submission_goes_to_the_next_endpoint_with_the_same_message_id(failure):
    fake = Fake(a=failure if isinstance(failure, type) else (failure, {"title": "x"}),
                b=(201, RECEIPT))
    async with client(fake) as hub:
        receipt = await hub.submit(["uk.fire.x"], incident("R-1"))
    assert receipt.reference == "R-1"
    assert fake.hosts_tried == ["a", "b"]
    ids = {json.loads(content)["message_id"] for _, _, content in fake.seen}
    assert len(ids) == 1


async def test_a_decision_moves_on_only_when_it_was_never_sent():
    # A 502 may come after the node acted: a decision is not sent again (it would be
    # refused as already decided).
    fake = Fake(a=(502, {"title": "Bad Gateway"}), b=(200, VIEW))
    async with client(fake) as hub:
        with pytest.raises(HubError) as raised:
            await hub.accept("tr_1")
    assert raised.value.status == 502 and fake.hosts_tried == ["a"]
    fake = Fake(a=httpx.ReadTimeout, b=(200, VIEW))
    async with client(fake) as hub:
        with pytest.raises(Unavailable):
            await hub.accept("tr_1")
    assert fake.hosts_tried == ["a"]
    # Refused: nothing was sent, so the next endpoint gets it.
    fake = Fake(a=httpx.ConnectError, b=(200, VIEW))
    async with client(fake) as hub:
        assert (await hub.accept("tr_1")).state.value == "accepted"
    assert fake.hosts_tried == ["a", "b"]


async def test_trying_is_bounded_by_rounds_and_by_time():
    fake = Fake(a=httpx.ConnectError, b=(503, {"title": "storage unavailable"}))
    async with client(fake, retries=1) as hub:
        with pytest.raises(HubError) as raised:  # the last answer had a status
            await hub.agencies()
    assert raised.value.status == 503
    assert fake.hosts_tried == ["a", "b", "a", "b"]  # two rounds, 0.2 s apart

    fake = Fake(a=httpx.ConnectError, b=httpx.ConnectError)
    started = time.monotonic()
    async with client(fake, retries=100, failover_timeout=0.5) as hub:
        with pytest.raises(Unavailable):
            await hub.agencies()
    # rounds 0.2 s then 0.4 s apart: the second wait would end past the deadline
    assert time.monotonic() - started < 0.5
    assert fake.hosts_tried == ["a", "b", "a", "b"]


async def test_one_base_url_retries_as_before():
    fake = Fake(a=(503, {"title": "storage unavailable"}))
    async with client(fake, endpoints=None, base_url=A, retries=2) as hub:
        with pytest.raises(HubError):
            await hub.acknowledge([1])
    assert fake.hosts_tried == ["a", "a", "a"]
