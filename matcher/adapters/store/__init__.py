"""Redis persistence: profiles, jobs, match sets and the shared trial cache.

Guarantees the rest of the code relies on:
- Every multi-key write is one transaction (MULTI/EXEC or a Lua script): a reader never sees a
  half-written submission or match set.
- A match set is replaced whole by a fenced Lua script: a run that started earlier than the live
  set's run cannot overwrite it, and a redelivered run overwrites (hash keyed by NCT id), so no
  duplicate records exist.
- Everything derived from a profile expires with it (EXPIREAT = the profile's retention end).
- Nothing about a profile is written once it is erased: every such write checks, inside its own
  script, that the profile (or job) still exists, so an erasure wins every race (ProfileGone).
- A stored entry that no longer validates is quarantined (logged by id and field names, dropped,
  the profile queued for a rebuild) rather than failing every later read of its profile.
- Redis faults surface as `StoreError` within the socket timeout, never as a hang.

The package: client.py (connection, error translation), scripts.py + lua/ (every Lua script,
registered once), base.py (what the parts share) and one module per part of `Store`: profiles
and jobs, match sets, the trial cache, access (API keys, sessions), the board's loop, and
lifecycle (erasure, locks, pace). No module outside this package touches the Redis client
(pinned by tests/unit/test_layering.py).
"""

from matcher.adapters.store.client import TRANSPORT_ERRORS, connect, redis_errors
from matcher.adapters.store.gateway import Store
from matcher.adapters.store.matches import MAX_CHANGES
from matcher.adapters.store.profiles import JobStatus

__all__ = ["MAX_CHANGES", "TRANSPORT_ERRORS", "JobStatus", "Store", "connect", "redis_errors"]
