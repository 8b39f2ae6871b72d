"""Console sign-in under guessing and floods, against real hubs over HTTP: throttling per
username and per address, answers that do not reveal which accounts exist, and password
checks that never hold up agencies' bearer-token requests."""

from __future__ import annotations

import contextlib
import functools
import itertools
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from argon2 import PasswordHasher

from bluelight.hub.domain.operator import Operator
from bluelight.hub.services import operators
from hubprocess import HubProcess, unique

PASSWORD = "a long enough password"
SESSION = "/console/api/session"
_addresses = (f"198.51.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def fresh_address() -> str:
    """A client address no other attempt in the session has used."""
    return next(_addresses)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """Behind a trusted proxy (the tests play it, naming each client's address in
    X-Forwarded-For), with small thresholds, no refusal delay and room for one password
    check to wait beside the one under way."""
    process = HubProcess(tmp_path_factory.mktemp("signin"), env={
        "BLUELIGHT_TRUSTED_PROXIES": "127.0.0.1",
        "BLUELIGHT_SIGNIN_USER_FAILURES": "3",
        "BLUELIGHT_SIGNIN_ADDRESS_FAILURES": "6",
        "BLUELIGHT_SIGNIN_BACKOFF_S": "1",
        "BLUELIGHT_SIGNIN_REFUSAL_DELAY_S": "0",
        "BLUELIGHT_SIGNIN_QUEUE": "1",
    }).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def agency(hub):
    agency_id = f"uk.police.{unique('s')}"
    return agency_id, hub.add_agency(agency_id, "police")


@pytest.fixture
def operator(hub, agency) -> str:
    username = unique("op")
    hub.add_operator(username, agency[0], "Sgt Carys Morgan", PASSWORD)
    return username


@pytest.fixture
def slow_operator(hub, agency) -> str:
    """An operator whose stored hash is deliberately costly (eight times the default work),
    so that a wrong password keeps the hashing thread busy for a while."""
    username = unique("slow")
    slow = PasswordHasher(time_cost=24).hash(PASSWORD)
    hub.transaction(operators.add(Operator(username=username, name="Slow",
                                           agency=agency[0]), slow, time.time()))
    return username


@functools.cache
def _client(url: str) -> httpx.Client:
    # One client (its connections kept) rather than one per attempt: an attempt sent
    # right after a failure must arrive within the 1 s pause, even on a loaded machine.
    return httpx.Client(base_url=url, timeout=60)


def attempt(hub, username: str, password: str, address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return _client(hub.url).post(SESSION, json={"username": username, "password": password},
                                 headers=headers)


def comparable(r: httpx.Response) -> tuple:
    return r.status_code, r.content, sorted((k, v) for k, v in r.headers.items() if k != "date")


def test_a_username_pauses_after_its_failures_for_twice_as_long_each_time(hub, operator):
    # A new address each time: only the username rule can apply.
    assert [attempt(hub, operator, "wrong guess", fresh_address()).status_code
            for _ in range(3)] == [401, 401, 401]
    waits = []
    for _ in range(3):
        refused = attempt(hub, operator, "wrong guess", fresh_address())
        assert refused.status_code == 429, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        problem = refused.json()
        assert problem["type"] == "urn:bluelight:problem:throttled"
        assert "for this username" in problem["detail"]
        waits.append(int(refused.headers["retry-after"]))
        # Paused means not checked: the right password is refused too.
        assert attempt(hub, operator, PASSWORD, fresh_address()).status_code == 429
        time.sleep(waits[-1] + 0.1)
        assert attempt(hub, operator, "wrong guess", fresh_address()).status_code == 401
    assert waits == [1, 2, 4]


def test_an_address_pauses_after_its_failures_whichever_names_it_tries(hub, operator):
    address = fresh_address()
    for n in range(6):
        assert attempt(hub, unique(f"guess{n}"), "wrong guess", address).status_code == 401
    refused = attempt(hub, unique("guess"), "wrong guess", address)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "from this address" in refused.json()["detail"]
    assert attempt(hub, operator, PASSWORD, address).status_code == 429
    # Nobody else is held up: the same operator from another address signs in.
    assert attempt(hub, operator, PASSWORD, fresh_address()).status_code == 200


def test_an_unknown_username_and_a_wrong_password_get_identical_answers_even_when_paused(
        hub, operator):
    # The two run side by side, each sending its next attempt as soon as it has an
    # answer, so each is compared with the other at the same point of its history.
    sequences: dict[str, list[httpx.Response]] = {}

    def guess(username: str, addresses: list[str]) -> None:
        sequences[username] = [attempt(hub, username, "wrong guess", a) for a in addresses]

    unknown = unique("nobody")
    threads = [threading.Thread(target=guess, args=(username, [fresh_address() for _ in range(5)]))
               for username in (operator, unknown)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [r.status_code for r in sequences[operator]] == [401, 401, 401, 429, 429]
    for known, made_up in zip(sequences[operator], sequences[unknown], strict=True):
        assert comparable(known) == comparable(made_up)


def test_a_successful_sign_in_clears_the_username_s_failures(hub, operator):
    assert [attempt(hub, operator, "wrong guess", fresh_address()).status_code
            for _ in range(2)] == [401, 401]
    assert attempt(hub, operator, PASSWORD, fresh_address()).status_code == 200
    # Two more failures would have made four in a row (a pause after the third).
    assert [attempt(hub, operator, "wrong guess", fresh_address()).status_code
            for _ in range(4)] == [401, 401, 401, 429]


@contextlib.contextmanager
def saturated(hub, slow_operator: str) -> Iterator[list[int]]:
    """Fill the hashing queue (one check under way, one waiting) with slow checks. Three
    slow attempts go at once; one of them being refused (503) shows that the other two
    hold both places. Yields the statuses of the slow attempts as they are answered."""
    statuses: list[int] = []
    slow = [threading.Thread(target=lambda address=fresh_address(): statuses.append(
        attempt(hub, slow_operator, "wrong guess", address).status_code)) for _ in range(3)]
    for thread in slow:
        thread.start()
    deadline = time.monotonic() + 30
    while statuses != [503]:  # bounded: a refusal is immediate, a slow check is not
        assert not statuses or statuses[0] == 503, "a slow check ended before the queue filled"
        assert time.monotonic() < deadline, "the hashing queue never filled"
        time.sleep(0.01)
    try:
        yield statuses
    finally:
        for thread in slow:
            thread.join(120)
    assert statuses == [503, 401, 401]


def test_a_full_hashing_queue_refuses_at_once_and_charges_nothing(hub, slow_operator):
    with saturated(hub, slow_operator) as slow_statuses:
        busy = [attempt(hub, slow_operator, "wrong guess", fresh_address()) for _ in range(4)]
        assert slow_statuses == [503]  # all four answered before either check ended
    for r in busy:
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "urn:bluelight:problem:busy"
    # Two failures were checked; the five refused unchecked were not charged, or this
    # would be a pause (429) rather than the third failure.
    assert attempt(hub, slow_operator, "wrong guess", fresh_address()).status_code == 401


def test_bearer_token_requests_do_not_wait_behind_password_checks(hub, agency, slow_operator):
    token = agency[1]
    with (httpx.Client(base_url=hub.url, headers={"Authorization": f"Bearer {token}"}) as cad,
          saturated(hub, slow_operator) as slow_statuses):
        polls = [cad.get("/v1/inbox", params={"limit": 10}).status_code for _ in range(20)]
        # Both checks still under way: the polls ran beside them, not behind them (on
        # the old shared reader threads each poll waited for a check to end).
        assert slow_statuses == [503]
    assert polls == [200] * 20


@pytest.fixture(scope="module")
def direct_hub(tmp_path_factory):
    """No trusted proxy, default refusal delay (1 s)."""
    process = HubProcess(tmp_path_factory.mktemp("signin-direct"), env={
        "BLUELIGHT_SIGNIN_ADDRESS_FAILURES": "2"}).start()
    yield process
    process.stop()


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(direct_hub):
    for _ in range(2):
        assert attempt(direct_hub, unique("guess"), "wrong guess",
                       fresh_address()).status_code == 401
    # Claiming yet another address does not help: the TCP peer's is the one counted.
    refused = attempt(direct_hub, unique("guess"), "wrong guess", fresh_address())
    assert refused.status_code == 429 and "from this address" in refused.json()["detail"]


def test_every_refusal_takes_at_least_the_refusal_delay(tmp_path):
    process = HubProcess(tmp_path, env={"BLUELIGHT_SIGNIN_USER_FAILURES": "1",
                                        "BLUELIGHT_SIGNIN_BACKOFF_S": "30"}).start()
    try:
        agency_id = f"uk.fire.{unique('d')}"
        process.add_agency(agency_id, "fire")
        process.add_operator("huw.price", agency_id, "Huw Price", PASSWORD)
        took = {}
        for label, username in [("wrong password", "huw.price"), ("unknown", "nobody"),
                                ("paused", "huw.price")]:
            started = time.monotonic()
            took[label] = (attempt(process, username, "wrong guess").status_code,
                           time.monotonic() - started)
        assert [status for status, _ in took.values()] == [401, 401, 429]
        assert all(seconds >= 1.0 for _, seconds in took.values()), took
        assert attempt(process, "huw.price", PASSWORD).status_code == 429  # still paused
    finally:
        process.stop()
