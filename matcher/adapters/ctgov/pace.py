"""Request pacing toward ClinicalTrials.gov, shared by every worker process on every host.

The public API publishes no limit, gateways answer 429 at peak, and the only stated pace is
`Crawl-delay: 1`. Per-process sleeping would multiply the rate by the number of workers, so the
live client asks one Redis key for its slot, through the store: a Lua script reads the Redis
server's `TIME` (one clock for the whole fleet, no host-clock skew), hands out
`max(now, next_free)` and moves `next_free` one interval on. The caller sleeps until its slot.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol


class Pacer(Protocol):
    """Blocks until the caller may send its next request."""

    def wait(self) -> None: ...


class NoPacer:
    """No spacing: the snapshot source and unit tests."""

    def wait(self) -> None:
        return None


class LocalPacer:
    """In-process spacing for the CLI without Redis (one process, possibly several threads)."""

    def __init__(
        self,
        min_interval_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = min_interval_s
        self._clock = clock
        self._sleep = sleep
        self._next = -math.inf
        self._lock = threading.Lock()

    def wait(self) -> None:
        if self._interval <= 0:
            return
        with self._lock:  # reserve the slot under the lock, sleep outside it
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            self._sleep(slot - now)


class PaceSlots(Protocol):
    """Hands out the fleet's request slots (the store: matcher/adapters/store/lua/pace_slot.lua)."""

    def reserve_pace_slot(self, interval_us: int) -> int:
        """Reserve the next slot `interval_us` after the last; return the wait in microseconds."""
        ...


class FleetPacer:
    """Fleet-wide spacing through the store's one pace key (named in matcher/adapters/keys.py)."""

    def __init__(
        self,
        slots: PaceSlots,
        min_interval_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._slots = slots
        self._interval_us = round(min_interval_s * 1_000_000)
        self._sleep = sleep

    def wait(self) -> None:
        if self._interval_us <= 0:
            return
        # A Redis outage surfaces as StoreError; the caller (the Celery task) treats store
        # errors as retryable, so it is not swallowed here.
        wait_us = self._slots.reserve_pace_slot(self._interval_us)
        if wait_us > 0:
            self._sleep(wait_us / 1_000_000)
