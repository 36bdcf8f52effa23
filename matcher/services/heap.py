"""Keeping the garbage collector off the engine's long-lived caches.

A worker parses a corpus version once and keeps the parsed criteria, and the judgements remembered
on them, for every later profile (matcher.domain.eligibility.parsed.CACHE). Python's full
collections walk every tracked object each time, so a large parse cache makes each new
profile's many short-lived objects costlier to collect. After new trials were parsed, `settle`
collects once and moves everything alive into the permanent generation (`gc.freeze`), which later
collections skip: the long-lived caches are no longer walked. It trims the slowest runs (those
that hit a full collection) more than the typical one (scripts/bench_engine.py prints both).
Frozen objects that are later dropped are still freed by reference counting; only garbage
*cycles* among them stay until the process ends — a bounded cost, since this runs once per new
corpus version (a few a day at most).

Settling also raises the youngest generation's threshold (GEN0_THRESHOLD): a never-seen profile
allocates tens of thousands of short-lived judgement objects, and at Python's default (700) it
triggers older-generation collections that cost more than the judging they interrupt; with
the caches frozen, a larger young generation is cheap to collect (bench_engine.py: slowest
never-seen run about halved).
"""

from __future__ import annotations

import gc
import time

from matcher.domain.eligibility import parsed

# A corpus larger than the parse cache re-parses evicted trials on many tasks: settling then on
# every task would cost a full collection each time, so it happens at most this often.
MIN_INTERVAL_S = 300.0
# allocations between young collections once settled (default 700; older thresholds unchanged)
GEN0_THRESHOLD = 10_000
_settled_at = -1  # parse-cache misses (trials parsed) at the last settle
_settled_when = float("-inf")


def settle(now: float | None = None) -> bool:
    """Collect, then freeze the heap, when trials were parsed since the last settle and the last
    one is at least MIN_INTERVAL_S old (once per new corpus version in practice); True when it
    froze."""
    global _settled_at, _settled_when
    now = time.monotonic() if now is None else now
    parses = parsed.CACHE.misses
    if parses == _settled_at or now - _settled_when < MIN_INTERVAL_S:
        return False
    gc.collect()
    gc.freeze()
    young, older, oldest = gc.get_threshold()
    gc.set_threshold(max(GEN0_THRESHOLD, young), older, oldest)
    _settled_at, _settled_when = parses, now
    return True
