"""The sign-in back-off rule and the bounded tables that keep it (no I/O, no clock)."""

from __future__ import annotations

import pytest

from bluelight.hub.domain.throttle import Backoff, Tally
from bluelight.hub.services.throttle import SignInThrottle, Throttled, address_key

RULE = Backoff(after=3, base_s=1.0, max_s=60.0)


def test_pauses_start_after_the_free_failures_and_double_up_to_the_cap():
    assert [RULE.pause_s(n) for n in range(1, 11)] == [0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert RULE.pause_s(10_000) == 60.0  # no overflow for a long-running attacker


def test_a_tally_is_forgotten_only_after_quiet_time_counted_from_the_end_of_its_pause():
    tally = Tally()
    for n in range(8):  # pauses 1, 2, 4, 8, 16, 32 s
        tally.charge(RULE, now=float(n))
    assert tally.paused_until == 7 + 32
    assert not tally.stale(RULE, now=7 + 32 + 59)  # 59 s of quiet after the pause
    assert tally.charge(RULE, now=7 + 32 + 59) == 60.0  # still counting: the longest pause
    fresh = Tally(failures=8, paused_until=10.0, last_at=5.0)
    assert fresh.charge(RULE, now=10.0 + 60) == 0.0 and fresh.failures == 1


def test_attempts_are_charged_before_they_are_checked_so_parallel_guesses_cannot_overshoot():
    throttle = SignInThrottle(RULE, Backoff(100, 1.0, 60.0))
    admitted = 0
    for _ in range(10):  # ten guesses arriving together, none answered yet
        try:
            throttle.check("carys", "192.0.2.1", now=0.0)
        except Throttled as refused:
            assert refused.scope == "username" and refused.wait_s == 1.0
            continue
        throttle.charge("carys", "192.0.2.1", now=0.0)
        admitted += 1
    assert admitted == 3


def test_a_pause_runs_again_in_full_from_when_the_failure_is_answered():
    throttle = SignInThrottle(RULE, Backoff(100, 1.0, 60.0))
    for _ in range(4):
        throttle.charge("carys", "192.0.2.1", now=0.0)  # the fourth: a 2 s pause...
    throttle.failed("carys", "192.0.2.1", now=1.5)  # ...told after a 1.5 s check
    with pytest.raises(Throttled) as refused:
        throttle.check("carys", "192.0.2.1", now=3.0)
    assert refused.value.wait_s == 0.5


def test_success_forgives_the_username_but_only_refunds_the_address():
    throttle = SignInThrottle(RULE, Backoff(3, 1.0, 60.0))
    for user in ("a", "b"):
        throttle.charge(user, "192.0.2.1", now=0.0)
    throttle.charge("carys", "192.0.2.1", now=0.0)  # the third at this address...
    throttle.succeeded("carys", "192.0.2.1")  # ...was right: its charge comes back
    throttle.check("carys", "192.0.2.1", now=0.0)
    throttle.charge("x", "192.0.2.1", now=0.0)  # a third failure: the address pauses
    with pytest.raises(Throttled) as refused:
        throttle.check("someone-else", "192.0.2.1", now=0.5)
    assert refused.value.scope == "address" and refused.value.wait_s == 0.5


def test_the_tables_are_bounded_and_drop_the_least_recently_charged():
    throttle = SignInThrottle(RULE, RULE, capacity=50)
    for _ in range(3):
        throttle.charge("target", "192.0.2.9", now=0.0)
    for n in range(49):
        throttle.charge(f"made-up-{n}", f"198.51.100.{n}", now=0.0)
    assert throttle.sizes() == (50, 50)
    with pytest.raises(Throttled):  # still held: 49 others fit beside it
        throttle.check("target", "203.0.113.1", now=0.0)
    for n in range(49, 1000):
        throttle.charge(f"made-up-{n}", f"198.51.100.{n % 250}", now=0.0)
    assert throttle.sizes() == (50, 50)
    throttle.check("target", "203.0.113.1", now=0.0)  # pushed out, as bounded memory must


@pytest.mark.parametrize("host, key", [
    ("192.0.2.7", "192.0.2.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # the same client's /64
    ("::ffff:192.0.2.7", "192.0.2.7"),
    ("testclient", "testclient"),
])
def test_an_ipv6_client_is_throttled_by_its_slash_64(host, key):
    assert address_key(host) == key
