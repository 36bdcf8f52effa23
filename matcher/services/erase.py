"""Erase everything stored about one profile, atomically (API DELETE, CLI, retention sweep).

One Lua script reads the profile's job index and its registered search, then deletes in the same
atomic step: the profile, its match set and meta, its run sequence, its change log, its report
marker, its search registration (and its membership of that search's profile set), its place in
the re-check schedule, every job record (and each job's delivery counters, keyed by the job id,
which is the Celery task id), the job index, its re-match markers, its profiles-index entry and
its board's reference entry, and the board's answers to its criteria.
Redis runs the script without interleaving other commands, so no reader sees a half-erased
profile and no job can slip in between the read of the job index and the deletes.

The re-match markers (`rematch:{pid}:{period}:...`) carry a period that cannot be derived, so
they are found by a SCAN just before the script and passed to it; one created in that gap is a
short-lived de-duplication marker (it has a TTL) and names no data.

Not erased here: a match task still queued in the broker carries the profile id as an argument.
Erasure still wins every race with it: each write a task makes about a profile (delivery
counter, run sequence, job status, match set, search registration, re-match marker) checks in
its own atomic script that the profile or job still exists, so a task that runs after (or
during) the erasure ends `cancelled` (ProfileGone) and leaves no key behind.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from matcher.adapters.store import Store
from matcher.errors import NotFound, StoredRecordUnreadable


class _Owner(NamedTuple):
    board_id: str
    reference: str | None


def _owner(store: Store, profile_id: str) -> _Owner | None:
    """The board and reference of the stored profile (None when it is already gone).

    A stored profile that no longer validates may still name both: they are read from its raw
    record when they are readable strings (nothing else of it is trusted), so its board's
    reference entry and profile list are cleaned up too.
    """
    try:
        stored = store.load_profile(profile_id)
    except NotFound:  # already gone: nothing to derive a key from
        return None
    except StoredRecordUnreadable:
        return _owner_of_unreadable(store, profile_id)
    return _Owner(stored.board_id, stored.profile.reference)


def _owner_of_unreadable(store: Store, profile_id: str) -> _Owner | None:
    raw = store.raw_profile(profile_id)
    try:
        doc = json.loads(raw or "null")
        board = doc["board_id"]
        profile = doc.get("profile")
        reference = profile.get("reference") if isinstance(profile, dict) else None
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if not isinstance(board, str):
        return None
    return _Owner(board, reference if isinstance(reference, str) else None)


def _reference_key(store: Store, owner: _Owner | None) -> list[str]:
    """The board's reference index entry of this profile (deleted with the other KEYS[12..]).

    A replace that changes the reference releases the old entry, so the one named by the stored
    profile is the only one pointing here.
    """
    if owner is None or owner.reference is None:
        return []
    return [store.keys.reference(owner.board_id, owner.reference)]


def erase_profile(store: Store, profile_id: str) -> int:
    """Delete every key about `profile_id` in one transaction; return how many keys went."""
    markers = store.rematch_markers(profile_id)
    owner = _owner(store, profile_id)
    deleted = store.erase(profile_id, [*markers, *_reference_key(store, owner)])
    if owner is not None:
        # After the script: a crash in between leaves an id the listing prunes (no data).
        store.forget_board_profile(owner.board_id, profile_id)
    return deleted
