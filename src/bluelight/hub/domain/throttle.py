"""Exponential back-off for failed sign-ins: the rule, with no clock and no storage.

A tally counts the failures charged to one key (a username, or a client address). The
first `after` failures are free; from then on each failure pauses the key for `base_s`,
then twice as long, and so on up to `max_s`. A key with no failure for `max_s` after its
last pause ended starts again from nothing: counting quiet time from the end of the
pause, not from the failure, means a long pause cannot expire into a fresh allowance
of free guesses.

Nothing here does I/O; `services.throttle` keeps the tallies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    after: int  # failures allowed before the first pause
    base_s: float  # the first pause
    max_s: float  # the longest pause, and the quiet time after which a key is forgotten

    def pause_s(self, failures: int) -> float:
        """How long the `failures`-th failure pauses the key (0 while still free)."""
        if failures < self.after:
            return 0.0
        # The exponent is capped so a long-running attacker cannot overflow the float.
        return min(self.max_s, self.base_s * 2.0 ** min(failures - self.after, 60))


@dataclass(slots=True)
class Tally:
    failures: int = 0
    paused_until: float = 0.0
    last_at: float = 0.0

    def wait_s(self, now: float) -> float:
        return max(0.0, self.paused_until - now)

    def stale(self, rule: Backoff, now: float) -> bool:
        return now - max(self.last_at, self.paused_until) >= rule.max_s

    def charge(self, rule: Backoff, now: float) -> float:
        """Count one failure at `now`; the pause it starts (0 if none)."""
        if self.stale(rule, now):
            self.failures, self.paused_until = 0, 0.0
        self.failures += 1
        self.last_at = now
        pause = rule.pause_s(self.failures)
        if pause:
            self.paused_until = now + pause
        return pause

    def settle(self, rule: Backoff, now: float) -> None:
        """The charged attempt has failed: a pause it calls for runs from now (when the
        client is told), not only from when the check began."""
        if pause := rule.pause_s(self.failures):
            self.paused_until = max(self.paused_until, now + pause)

    def refund(self, rule: Backoff) -> None:
        """Take back one charge: the attempt it was made for succeeded. A pause stays
        only while the failures left still call for one (others charged meanwhile)."""
        self.failures = max(0, self.failures - 1)
        if self.failures < rule.after:
            self.paused_until = 0.0
