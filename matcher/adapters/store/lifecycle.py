"""Erasure, the legacy per-profile search registration, and the fleet-wide coordination keys
(the corpus and sync locks, the registry request pace)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import cast

from redis.exceptions import LockError, RedisError, WatchError

from matcher.adapters.store.base import StoreBase
from matcher.adapters.store.client import redis_errors

log = logging.getLogger(__name__)

# Retries of one task never exceed Settings.task_max_retries (le=20): counters 0..20 cover all.
_MAX_RETRY_COUNTERS = 21


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


class LifecycleStore(StoreBase):
    # --- erasure (matcher/services/erase.py decides what belongs to a profile) --------------
    def rematch_markers(self, profile_id: str) -> list[str]:
        """The profile's re-match markers (`rematch:{pid}:{period}:...`): their period cannot
        be derived, so they are found by a SCAN."""
        k = self.keys
        pattern = k.rematch_enqueued(_glob_escape(profile_id), "*").removesuffix(":enqueued")
        with redis_errors("erasing a profile"):
            return sorted({str(key) for key in self.r.scan_iter(match=pattern + ":*", count=1000)})

    def erase(self, profile_id: str, extra_keys: Sequence[str]) -> int:
        """Delete every key about `profile_id` in one script (lua/erase.lua), plus `extra_keys`
        (its re-match markers, its reference entry); return how many keys went."""
        k = self.keys
        keys = [
            k.profile(profile_id), k.profile_jobs(profile_id), k.matches(profile_id),
            k.match_meta(profile_id), k.run_seq(profile_id), k.changes(profile_id),
            k.report_marker(profile_id), k.profile_query(profile_id),
            k.profiles_index(), k.recheck(), k.queries(),
            *extra_keys, k.answers(profile_id),
        ]  # fmt: skip
        deliveries_prefix = k.deliveries("", 0).removesuffix(":0")  # "{prefix}deliveries:"
        query_head, query_tail = k.query_profiles("\0").split("\0")
        args: list[str | int] = [
            profile_id, k.job(""), deliveries_prefix, _MAX_RETRY_COUNTERS, query_head, query_tail,
            k.jobs_pending(), k.jobs_running(),
        ]  # fmt: skip
        with redis_errors("erasing a profile"):
            return int(self.scripts.erase(keys=keys, args=args))

    # --- the per-diagnosis search registry (superseded; erasure still removes it) -----------
    def register_profile_query(
        self,
        profile_id: str,
        query_key: str,
        query: dict[str, list[str]],
        recheck_at: datetime | None,
    ) -> None:
        """Record which search the profile used, and its re-check date, unless it is erased."""
        k = self.keys
        body = json.dumps(query)
        with redis_errors("registering the profile's search"), self.r.pipeline() as pipe:
            # WATCH the profile: an erasure between the checks and EXEC aborts the registration,
            # so a run racing an erasure never recreates the profile's search keys.
            try:
                pipe.watch(k.profile(profile_id))  # type: ignore[no-untyped-call]  # redis-py: untyped
                expires = pipe.ttl(k.profile(profile_id))
                if expires == -2:
                    return  # erased (or expired) meanwhile
                old = cast("str | None", pipe.get(k.profile_query(profile_id)))
                pipe.multi()
                if old and old != query_key:
                    pipe.srem(k.query_profiles(old), profile_id)
                pipe.hset(k.queries(), query_key, body)
                pipe.sadd(k.query_profiles(query_key), profile_id)
                pipe.set(k.profile_query(profile_id), query_key, keepttl=False)
                if expires > 0:
                    pipe.expire(k.profile_query(profile_id), expires)
                if recheck_at is None:
                    pipe.zrem(k.recheck(), profile_id)
                else:
                    pipe.zadd(k.recheck(), {profile_id: recheck_at.timestamp()})
                pipe.execute()
            except WatchError:
                return  # erased while registering: nothing was written
        if old and old != query_key:
            # The search's phrases come from board-typed diagnosis text: forget them with its
            # last profile.
            self.scripts.forget_query(keys=[k.query_profiles(old), k.queries()], args=[old])

    # --- fleet-wide coordination -------------------------------------------------------------
    @contextmanager
    def _held(self, key: str, what: str, timeout_s: float, wait_s: float | None) -> Iterator[bool]:
        """Yield whether the lock `key` was taken (waiting up to `wait_s`; None: not at all);
        it expires after `timeout_s`, so a killed holder frees it."""
        lock = self.r.lock(
            key, timeout=timeout_s, blocking=wait_s is not None, blocking_timeout=wait_s
        )
        with redis_errors(f"taking the {what}"):
            acquired = bool(lock.acquire())
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    lock.release()
                except LockError:  # it expired; its timeout already freed it
                    log.warning("the %s expired before its holder finished", what)
                except RedisError as exc:  # it expires on its own; the work itself is done
                    log.warning("the %s could not be released: %s", what, type(exc).__name__)

    def corpus_lock(self, timeout_s: float) -> AbstractContextManager[bool]:
        """The single corpus writer's lock, waited for up to `timeout_s`."""
        return self._held(self.keys.corpus_lock(), "corpus lock", timeout_s, timeout_s)

    def sync_lock(self, timeout_s: float) -> AbstractContextManager[bool]:
        """The sync's lock, not waited for (a second scheduler's tick is skipped)."""
        return self._held(self.keys.sync_lock(), "sync lock", timeout_s, None)

    def reserve_pace_slot(self, interval_us: int) -> int:
        """Reserve the fleet's next registry request slot `interval_us` after the last one;
        return how many microseconds to wait for it (lua/pace_slot.lua)."""
        # A Redis outage surfaces as StoreError; the caller (the Celery task) treats store
        # errors as retryable, so it is not swallowed here.
        with redis_errors("pacing a registry request"):
            return int(self.scripts.pace_slot(keys=[self.keys.pace()], args=[interval_us]))
