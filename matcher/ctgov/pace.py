"""Request pacing toward ClinicalTrials.gov, shared by every worker process on every host.

The public API publishes no limit, gateways answer 429 at peak, and the only stated pace is
`Crawl-delay: 1`. Per-process sleeping would multiply the rate by the number of workers, so the
live client asks one Redis key for its slot: a Lua script reads the Redis server's `TIME` (one
clock for the whole fleet, no host-clock skew), hands out `max(now, next_free)` and moves
`next_free` one interval on. The caller sleeps until its slot.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol


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


# KEYS[1] = pace key, ARGV[1] = interval in microseconds. Returns the wait in microseconds.
# Microseconds since the epoch (~1.8e15) are exact in Lua's doubles (< 2^53). Redis >= 5 replicates
# script effects, so reading TIME before a write is allowed. The key expires shortly after the last
# reserved slot, so an idle fleet leaves nothing behind.
_SLOT_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local stored = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local slot = math.max(now, stored)
local nxt = slot + interval
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000) + 1000)
return slot - now
"""


class RedisPacer:
    """Fleet-wide spacing through one Redis key. `key` arrives fully prefixed from the caller."""

    def __init__(
        self,
        redis_client: Any,
        key: str,
        min_interval_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._redis = redis_client
        self._key = key
        self._interval_us = round(min_interval_s * 1_000_000)
        self._sleep = sleep
        # register_script uses EVALSHA and falls back to EVAL after a server restart (NOSCRIPT).
        self._script = redis_client.register_script(_SLOT_SCRIPT)

    def wait(self) -> None:
        if self._interval_us <= 0:
            return
        # A Redis outage surfaces as redis.exceptions.ConnectionError/TimeoutError; the caller
        # (the Celery task) treats store errors as retryable, so it is not swallowed here.
        wait_us = int(self._script(keys=[self._key], args=[self._interval_us]))
        if wait_us > 0:
            self._sleep(wait_us / 1_000_000)
