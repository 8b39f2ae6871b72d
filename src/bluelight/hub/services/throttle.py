"""Sign-in throttling per username and per client address, in the hub's memory.

Every attempt is charged *before* its password is checked, and refunded if it succeeds:
parallel guesses cannot all slip in while the first ones are still being hashed. A
pause that a failure calls for starts when the check begins (holding off the parallel
ones) and runs again in full from when the failure is answered.

Usernames are keyed exactly as typed (lower-cased by the endpoint), whether or not such
an operator exists, so throttling behaves the same for a made-up name as for a real
one and cannot tell an attacker which accounts exist.

Memory is bounded: each table keeps at most `capacity` keys and drops the least
recently charged first. Only an attempt that reaches the password check creates a key,
and those are limited by the hashing pool's throughput (a few per second) and by the
per-address rule, so filling a table with made-up names to push a paused key out takes
a flood that the address rule stops first, or many addresses and hours.

The tallies are lost on restart; that only gives back the free attempts."""

from __future__ import annotations

import ipaddress
from collections import OrderedDict

from bluelight.hub.domain.throttle import Backoff, Tally

CAPACITY = 10_000  # keys per table: about 2 MB at most


class Throttled(Exception):
    """Refused before checking: the username or the address is paused."""

    def __init__(self, wait_s: float, scope: str) -> None:
        super().__init__(f"{scope} paused for {wait_s:.1f} s")
        self.wait_s = wait_s
        self.scope = scope  # "username" or "address": which rule refused


def address_key(host: str) -> str:
    """The unit an address is throttled by. An IPv6 user is usually given a whole /64,
    so each of its addresses is the same client."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class _Tallies:
    """A bounded table of tallies, least recently charged first."""

    def __init__(self, rule: Backoff, capacity: int) -> None:
        self.rule, self.capacity = rule, capacity
        self._tallies: OrderedDict[str, Tally] = OrderedDict()

    def __len__(self) -> int:
        return len(self._tallies)

    def wait_s(self, key: str, now: float) -> float:
        tally = self._tallies.get(key)  # a look-up never creates a key
        return tally.wait_s(now) if tally else 0.0

    def charge(self, key: str, now: float) -> float:
        tally = self._tallies.setdefault(key, Tally())
        self._tallies.move_to_end(key)  # now the most recent
        while len(self._tallies) > self.capacity:
            self._tallies.popitem(last=False)
        return tally.charge(self.rule, now)

    def settle(self, key: str, now: float) -> None:
        if (tally := self._tallies.get(key)) is not None:
            tally.settle(self.rule, now)

    def refund(self, key: str) -> None:
        if (tally := self._tallies.get(key)) is not None:
            tally.refund(self.rule)

    def forget(self, key: str) -> None:
        self._tallies.pop(key, None)


class SignInThrottle:
    def __init__(self, per_user: Backoff, per_address: Backoff,
                 capacity: int = CAPACITY) -> None:
        self._users = _Tallies(per_user, capacity)
        self._addresses = _Tallies(per_address, capacity)

    def check(self, username: str, address: str, now: float) -> None:
        """Raise `Throttled` if either key is paused (the longer pause is given)."""
        waits = [(self._users.wait_s(username, now), "username"),
                 (self._addresses.wait_s(address_key(address), now), "address")]
        wait, scope = max(waits)
        if wait > 0:
            raise Throttled(wait, scope)

    def charge(self, username: str, address: str, now: float) -> float:
        """Count an attempt as failed until it is known to have succeeded; the longest
        pause it starts (0 if none)."""
        return max(self._users.charge(username, now),
                   self._addresses.charge(address_key(address), now))

    def failed(self, username: str, address: str, now: float) -> None:
        """A charged attempt was wrong: pauses run from now (see `Tally.settle`)."""
        self._users.settle(username, now)
        self._addresses.settle(address_key(address), now)

    def succeeded(self, username: str, address: str) -> None:
        """The operator's failures are forgiven. The address only gets its charge back:
        a colleague's sign-in must not wipe out a guesser's record at the same address."""
        self._users.forget(username)
        self._addresses.refund(address_key(address))

    def sizes(self) -> tuple[int, int]:
        return len(self._users), len(self._addresses)
