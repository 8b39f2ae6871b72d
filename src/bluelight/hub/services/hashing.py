"""Where password hashes are checked: one thread of their own, with a short wait list.

An Argon2id check costs about 64 MiB and a core for a fifth of a second, on purpose.
On the store's reader threads it made every agency's bearer-token check wait behind
a sign-in flood (issue 10). Here it cannot: the checks run on one thread that nothing
else uses, at most `queue` more wait for it, and any beyond that are refused at once
(`Busy`) instead of piling up. One thread also bounds the memory (one check at a time)
and leaves the other core to the event loop.

The thread runs at a lower CPU priority (nice 10; Linux gives each thread its own, and
the threads Argon2 starts for its lanes inherit it), so when the machine is short of
CPU the event loop serving CAD systems wins and sign-ins are the ones that slow."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

R = TypeVar("R")
NICE = 10


class Busy(Exception):
    """Every place in the hashing queue is taken."""

    retry_after_s = 1.0


def _lower_priority() -> None:
    if sys.platform == "linux":  # elsewhere this call would renice the whole process
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


class HashingPool:
    def __init__(self, queue: int = 8) -> None:
        self.capacity = 1 + queue  # the check under way and those waiting for it
        self.held = 0
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="bluelight-hash",
                                            initializer=_lower_priority)

    @contextlib.contextmanager
    def place(self) -> Iterator[None]:
        """A place in the queue for one sign-in, from before its hash is read until its
        check is done; `Busy` if there is none. Used on the event loop only, so the
        count needs no lock. (Starlette does not cancel a handler whose client has
        gone, so a place is not given back while its check still runs.)"""
        if self.held >= self.capacity:
            raise Busy()
        self.held += 1
        try:
            yield
        finally:
            self.held -= 1

    async def run(self, fn: Callable[..., R], *args) -> R:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)
