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
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal, cast

import redis
from pydantic import ValidationError

from matcher import store_scripts as lua
from matcher.errors import (
    NotFound,
    ProfileGone,
    StoredRecordUnreadable,
    StoreError,
    field_locations,
)
from matcher.keys import Keys
from matcher.models import MatchRun, StoredProfile, Trial, TrialMatch
from matcher.models.change import ChangeEntry
from matcher.settings import Settings
from matcher.store_loop import BoardLoopStore

log = logging.getLogger(__name__)

JobStatus = Literal["queued", "running", "done", "failed"]
MAX_CHANGES = 500  # change entries kept per profile (oldest dropped first)


def connect(settings: Settings) -> redis.Redis:
    """A client with timeouts on every socket call: a paused Redis is an error, not a hang."""
    options: dict[str, Any] = {
        "socket_timeout": settings.redis_socket_timeout_s,
        "socket_connect_timeout": settings.redis_connect_timeout_s,
        "health_check_interval": 25,
        "decode_responses": True,
    }
    if settings.redis_dsn.startswith("rediss://"):
        # redis-py verifies certificates by default; keep it that way unless explicitly told.
        options["ssl_cert_reqs"] = "none" if settings.redis_tls_insecure else "required"
    return redis.Redis.from_url(settings.redis_dsn, **options)


@contextmanager
def redis_errors(action: str) -> Iterator[None]:
    """Turn redis-py's transport errors into our StoreError, naming what we were doing."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise StoreError(f"Redis unavailable while {action}: {type(exc).__name__}") from exc


def _now() -> datetime:
    return datetime.now(UTC)


class Store(BoardLoopStore):
    """All Redis reads and writes of trialmatch. Holds no state beyond the client."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self.r = client
        self.keys = keys
        self._write_matches = client.register_script(lua.WRITE_MATCHES)
        self._next_run_seq = client.register_script(lua.NEXT_RUN_SEQ)
        self._set_job = client.register_script(lua.SET_JOB)
        self._count_delivery = client.register_script(lua.COUNT_DELIVERY)
        self._set_marker = client.register_script(lua.SET_MARKER)
        self._quarantine = client.register_script(lua.QUARANTINE_ENTRY)
        self._claim_reference = client.register_script(lua.CLAIM_REFERENCE)
        self._release_reference = client.register_script(lua.RELEASE_REFERENCE)
        self._set_recheck = client.register_script(lua.SET_RECHECK)
        self._put_answer = client.register_script(lua.PUT_ANSWER)
        self._add_job = client.register_script(lua.ADD_JOB)
        self._set_answers_aside = client.register_script(lua.SET_ANSWERS_ASIDE)
        # Registered here once (EVALSHA, EVAL only after a NOSCRIPT) rather than re-sent with
        # EVAL on every call; matcher/erase.py and matcher/schedule.py build their keys.
        self.erase_script = client.register_script(lua.ERASE)
        self.forget_query_script = client.register_script(lua.FORGET_QUERY)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store of this deployment: its Redis (with timeouts) and its key prefix."""
        return cls(connect(settings), Keys(settings.key_prefix))

    def answers(self) -> bool:
        """Whether Redis answers right now (a PING within the socket timeout)."""
        try:
            return bool(self.r.ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False

    # redis-py types every reply as `bytes | str`; the client decodes (decode_responses=True),
    # so these narrow the types once instead of casting at every call site.
    def get_str(self, key: str) -> str | None:
        return cast("str | None", self.r.get(key))

    def hgetall_str(self, key: str) -> dict[str, str]:
        return cast("dict[str, str]", self.r.hgetall(key))

    def hset_str(self, key: str, mapping: Mapping[str, str | int]) -> None:
        self.r.hset(key, mapping=dict(mapping))  # type: ignore[arg-type]  # Mapping is invariant

    def members_str(self, key: str) -> set[str]:
        return cast("set[str]", self.r.smembers(key))

    def zrange_upto(self, key: str, max_score: float) -> list[str]:
        return cast("list[str]", self.r.zrangebyscore(key, 0, max_score))

    # --- profiles and jobs -------------------------------------------------------------
    def save_submission(self, stored: StoredProfile, job_id: str) -> str | None:
        """Store the profile and a queued job atomically; return the previous profile JSON."""
        pid = stored.profile_id
        expire_at = int(stored.expires_at.timestamp())
        with redis_errors("saving the profile"):
            previous = self.get_str(self.keys.profile(pid))
            now = _now().isoformat()
            pipe = self.r.pipeline(transaction=True)
            pipe.set(self.keys.profile(pid), stored.model_dump_json(), exat=expire_at)
            pipe.hset(
                self.keys.job(job_id),
                mapping={
                    "job_id": job_id,
                    "profile_id": pid,
                    "board_id": stored.board_id,
                    "status": "queued",
                    "reason": "",
                    "created_at": now,
                    "updated_at": now,
                },
            )
            pipe.expireat(self.keys.job(job_id), expire_at)
            pipe.sadd(self.keys.profile_jobs(pid), job_id)
            pipe.zadd(self.keys.jobs_pending(), {job_id: _now().timestamp()})
            pipe.expireat(self.keys.profile_jobs(pid), expire_at)
            pipe.zadd(self.keys.profiles_index(), {pid: expire_at})
            pipe.sadd(self.keys.board_profiles(stored.board_id), pid)
            derived = (
                self.keys.matches(pid), self.keys.match_meta(pid), self.keys.changes(pid),
                self.keys.answers(pid), self.keys.report_marker(pid),
            )  # fmt: skip
            for key in derived:
                pipe.expireat(key, expire_at)  # an update renews retention of derived data
            if stored.profile.reference is not None:
                ref = self.keys.reference(stored.board_id, stored.profile.reference)
                pipe.expireat(ref, expire_at)
            pipe.execute()
        return previous

    def undo_submission(self, profile_id: str, job_id: str, previous: str | None) -> None:
        """Roll back `save_submission` after the task could not be enqueued."""
        with redis_errors("rolling back a submission"):
            pipe = self.r.pipeline(transaction=True)
            pipe.delete(self.keys.job(job_id))
            pipe.srem(self.keys.profile_jobs(profile_id), job_id)
            pipe.zrem(self.keys.jobs_pending(), job_id)
            if previous is None:
                pipe.delete(self.keys.profile(profile_id))
                pipe.zrem(self.keys.profiles_index(), profile_id)
            else:
                pipe.set(self.keys.profile(profile_id), previous, keepttl=True)
            pipe.execute()

    def claim_reference(self, board_id: str, reference: str, profile_id: str) -> str | None:
        """Point the board's reference at `profile_id`; None when claimed, else the id of the
        board's profile that already holds it. Atomic: two claims cannot both win."""
        with redis_errors("claiming a reference"):
            held = self._claim_reference(
                keys=[self.keys.reference(board_id, reference)], args=[profile_id, lua.CLAIM_TTL_S]
            )
        return str(held) if held else None

    def release_reference(self, board_id: str, reference: str, profile_id: str) -> None:
        """Free the board's reference if it still points at `profile_id`."""
        with redis_errors("releasing a reference"):
            self._release_reference(
                keys=[self.keys.reference(board_id, reference)], args=[profile_id]
            )

    def load_profile(self, profile_id: str) -> StoredProfile:
        with redis_errors("loading a profile"):
            raw = self.get_str(self.keys.profile(profile_id))
        if raw is None:
            raise NotFound(f"profile {profile_id} not found")
        try:
            return StoredProfile.model_validate_json(raw)
        except ValidationError as exc:
            # `from None`: pydantic's text quotes the stored values; Celery would log it.
            raise StoredRecordUnreadable("profile", profile_id, field_locations(exc)) from None

    def profile_exists(self, profile_id: str) -> bool:
        with redis_errors("checking a profile"):
            return bool(self.r.exists(self.keys.profile(profile_id)))

    def set_job(
        self, job_id: str, status: JobStatus, reason: str = "", *, lease_s: float = 0
    ) -> bool:
        """Update a job that still exists (False if it was erased); `running` takes a lease of
        `lease_s` seconds after which the lost-job sweep may recover it."""
        now = _now()
        k = self.keys
        with redis_errors("updating a job"):
            args: list[str | float] = [status, reason[:500], now.isoformat(), job_id]
            args += [now.timestamp() + lease_s, now.timestamp()]
            keys = [k.job(job_id), k.jobs_pending(), k.jobs_running()]
            done = self._set_job(keys=keys, args=args)
        return bool(done)

    def get_job(self, job_id: str) -> dict[str, str]:
        with redis_errors("reading a job"):
            job = self.hgetall_str(self.keys.job(job_id))
        if not job:
            raise NotFound(f"job {job_id} not found")
        return job

    def count_delivery(self, task_id: str, retries: int, *, guard_key: str) -> int | None:
        """How many times this (task, retry attempt) has been delivered, for the poison guard;
        None when `guard_key` (the job, or the profile) is gone: nothing is counted then."""
        key = self.keys.deliveries(task_id, retries)
        with redis_errors("counting deliveries"):
            count = int(self._count_delivery(keys=[key, guard_key], args=[86_400]))
        return None if count < 0 else count

    def set_marker_while_profile(
        self, key: str, profile_id: str, value: str, ttl_s: int
    ) -> tuple[bool, str | None]:
        """SET NX EX of a per-profile marker, only while the profile exists (ProfileGone).
        Returns (newly set, the value now stored)."""
        with redis_errors("setting a marker"):
            state, current = self._set_marker(
                keys=[key, self.keys.profile(profile_id)], args=[value, ttl_s]
            )
        if int(state) < 0:
            raise ProfileGone(f"profile {profile_id} was erased")
        return int(state) == 1, None if current is None else str(current)

    # --- match sets -------------------------------------------------------------------
    def next_run_seq(self, profile_id: str) -> int:
        """The run's fencing number; ProfileGone (and nothing created) if it was erased."""
        keys = [self.keys.profile(profile_id), self.keys.run_seq(profile_id)]
        with redis_errors("starting a run"):
            seq = int(self._next_run_seq(keys=keys))
        if seq < 0:
            raise ProfileGone(f"profile {profile_id} was erased")
        return seq

    def write_matches(
        self,
        run: MatchRun,
        seq: int,
        expires_at: datetime,
        changes: Sequence[ChangeEntry] = (),
    ) -> bool:
        """Replace the live match set and log its changes atomically; False if a newer run won."""
        meta = run.model_copy(update={"results": []}).model_dump_json()
        args: list[str | int] = [seq, meta, int(expires_at.timestamp()), MAX_CHANGES, len(changes)]
        args += [c.model_dump_json() for c in changes]
        for result in run.results:
            args += [result.nct_id, result.model_dump_json()]
        pid = run.profile_id
        k = self.keys
        keys = [k.matches(pid), k.match_meta(pid), k.changes(pid), k.profile(pid), k.run_seq(pid)]
        with redis_errors("writing matches"):
            written = int(self._write_matches(keys=keys, args=args))
        if written < 0:
            raise ProfileGone(f"profile {pid} was erased")
        return written == 1

    def read_matches(self, profile_id: str) -> MatchRun | None:
        """The live match set, ranked; read in one transaction so it is never a mix of two runs.
        A corrupt entry is quarantined and left out; a corrupt run record reads as no set."""
        with redis_errors("reading matches"):
            pipe = self.r.pipeline(transaction=True)
            pipe.hget(self.keys.match_meta(profile_id), "run")
            pipe.hgetall(self.keys.matches(profile_id))
            meta, entries = pipe.execute()
        if meta is None:
            return None
        results = list(self._valid_entries(profile_id, entries).values())
        results.sort(key=lambda m: (-m.score, m.nct_id))
        try:
            run = MatchRun.model_validate_json(meta)
        except ValidationError as exc:
            self._quarantine_meta(profile_id, field_locations(exc))
            return None
        return run.model_copy(update={"results": results})

    def read_match_entries(self, profile_id: str, nct_ids: Sequence[str]) -> dict[str, TrialMatch]:
        """The stored verdicts of these trials (corrupt ones quarantined and left out)."""
        with redis_errors("reading stored matches"):
            raw = cast("list[str | None]", self.r.hmget(self.keys.matches(profile_id), nct_ids))
        found = {n: r for n, r in zip(nct_ids, raw, strict=True) if r is not None}
        return self._valid_entries(profile_id, found)

    def _valid_entries(self, profile_id: str, entries: Mapping[str, str]) -> dict[str, TrialMatch]:
        valid: dict[str, TrialMatch] = {}
        for nct_id, raw in entries.items():
            try:
                valid[nct_id] = TrialMatch.model_validate_json(raw)
            except ValidationError as exc:
                self._quarantine_entry(profile_id, nct_id, raw, field_locations(exc))
        return valid

    def _quarantine_entry(self, profile_id: str, nct_id: str, raw: str, fields: list[str]) -> None:
        # Ids and field names only: the entry's text is derived from the patient's profile.
        log.warning(
            "quarantined corrupt match entry profile_id=%s nct_id=%s fields=%s",
            profile_id, nct_id, ",".join(fields),
        )  # fmt: skip
        with redis_errors("quarantining a match entry"):
            self._quarantine(keys=[self.keys.matches(profile_id)], args=[nct_id, raw])
        self._rebuild_soon(profile_id)

    def _quarantine_meta(self, profile_id: str, fields: list[str]) -> None:
        log.warning(
            "quarantined corrupt match run record profile_id=%s fields=%s",
            profile_id, ",".join(fields),
        )  # fmt: skip
        with redis_errors("quarantining a match run record"):
            self.r.hdel(self.keys.match_meta(profile_id), "run")
        self._rebuild_soon(profile_id)

    def _rebuild_soon(self, profile_id: str) -> None:
        """Make the profile due for re-matching at the next sync (only while it exists)."""
        self.set_recheck(profile_id, 0)

    def set_recheck(self, profile_id: str, at: float | None) -> bool:
        """Schedule the profile's next time-driven re-check at unix time `at` (None: none), only
        while the profile exists; False (and nothing written) when it was erased."""
        keys = [self.keys.recheck(), self.keys.profile(profile_id)]
        with redis_errors("scheduling a re-check"):
            done = self._set_recheck(keys=keys, args=[profile_id, "" if at is None else at])
        return bool(done)

    # --- web-page sessions (api/sessions.py): keyed and valued by digests, always with a TTL ---
    def put_session(self, session_digest: str, board_id: str, key_id: str, ttl_s: int) -> None:
        with redis_errors("starting a session"):
            pipe = self.r.pipeline(transaction=True)
            key = self.keys.session(session_digest)
            pipe.hset(key, mapping={"board_id": board_id, "key_id": key_id})
            pipe.expire(key, ttl_s)
            pipe.execute()

    def session_board(self, session_digest: str) -> str | None:
        """The session's board while the session lives and its API key is not revoked."""
        with redis_errors("checking a session"):
            record = self.hgetall_str(self.keys.session(session_digest))
            if not record or not self.r.exists(self.keys.auth_key(record.get("key_id", ""))):
                return None
        return record.get("board_id") or None

    def end_session(self, session_digest: str) -> None:
        with redis_errors("ending a session"):
            self.r.delete(self.keys.session(session_digest))

    # --- shared trial cache ---------------------------------------------------------------
    def put_search(
        self, query_key: str, data_version: str, trials: Sequence[Trial], ttl_s: int
    ) -> None:
        """Cache the trials of one search, by NCT id + version, and the search's id list."""
        ids = [[t.nct_id, t.version] for t in trials]
        with redis_errors("caching trials"):
            pipe = self.r.pipeline(transaction=True)
            for trial in trials:
                # Trial bodies outlive any one search so that other searches can share them.
                pipe.set(
                    self.keys.trial(trial.nct_id, trial.version),
                    trial.model_dump_json(),
                    ex=ttl_s * 4,
                )
                pipe.set(self.keys.trial_latest(trial.nct_id), trial.version, ex=ttl_s * 4)
            pipe.set(self.keys.search(query_key, data_version), json.dumps(ids), ex=ttl_s)
            pipe.execute()

    def get_search(self, query_key: str, data_version: str) -> list[Trial] | None:
        """The cached trials of a search, or None if any piece is missing (then search again)."""
        with redis_errors("reading the trial cache"):
            raw = self.get_str(self.keys.search(query_key, data_version))
            if raw is None:
                return None
            ids = json.loads(raw)
            if not ids:
                return []
            bodies = cast("list[str | None]", self.r.mget([self.keys.trial(n, v) for n, v in ids]))
        if any(b is None for b in bodies):
            return None
        return [Trial.model_validate_json(b) for b in bodies if b is not None]

    # --- the population corpus (matcher/corpus.py decides; this only reads and writes) -------
    def publish_corpus(
        self, data_version: str, record: str, trials: Sequence[Trial], ttl_s: int
    ) -> bool:
        """Store new trial bodies, then the corpus record of `data_version` if none exists yet.

        The record is written once (SET NX): whoever comes second for the same data version
        keeps the first one, so the match path and the sync can never publish two lists.
        """
        with redis_errors("caching trials"):
            pipe = self.r.pipeline(transaction=False)
            for trial in trials:
                # Bodies are keyed by content hash: writing one twice writes the same bytes.
                pipe.set(self.keys.trial(trial.nct_id, trial.version), trial.model_dump_json(),
                         ex=ttl_s * 4)  # fmt: skip
                pipe.set(self.keys.trial_latest(trial.nct_id), trial.version, ex=ttl_s * 4)
            pipe.execute()
            written = bool(self.r.set(self.keys.corpus(data_version), record, nx=True, ex=ttl_s))
            if written:
                self.r.set(self.keys.corpus_latest(), data_version)
        return written

    def corpus_record(self, data_version: str) -> str | None:
        with redis_errors("reading the corpus"):
            return self.get_str(self.keys.corpus(data_version))

    def latest_corpus_version(self) -> str | None:
        with redis_errors("reading the corpus"):
            return self.get_str(self.keys.corpus_latest())

    def trial_bodies(self, pairs: Sequence[tuple[str, str]], ttl_s: int) -> list[Trial] | None:
        """The trials of these (nct_id, version) pairs, TTL renewed; None if any is missing."""
        if not pairs:
            return []
        keys = [self.keys.trial(n, v) for n, v in pairs]
        with redis_errors("reading the trial cache"):
            bodies = cast("list[str | None]", self.r.mget(keys))
            if any(b is None for b in bodies):
                return None
            pipe = self.r.pipeline(transaction=False)
            for key in keys:
                pipe.expire(key, ttl_s * 4)
            pipe.execute()
        return [Trial.model_validate_json(b) for b in bodies if b is not None]

    def matched_trial_versions(self, profile_id: str) -> dict[str, str]:
        """nct_id -> trial_version of a profile's live match set (what it was matched on);
        corrupt entries are quarantined and left out."""
        with redis_errors("reading stored matches"):
            entries = self.hgetall_str(self.keys.matches(profile_id))
        valid = self._valid_entries(profile_id, entries)
        return {nct_id: match.trial_version for nct_id, match in valid.items()}

    def match_basis(self, profile_ids: Sequence[str]) -> dict[str, str | None]:
        """profile_id -> the data version its live match set was computed on (None: no set, or
        a corrupt run record, which is quarantined and so rebuilt by the next due re-check)."""
        with redis_errors("reading match metadata"):
            pipe = self.r.pipeline(transaction=False)
            for pid in profile_ids:
                pipe.hget(self.keys.match_meta(pid), "run")
            metas = pipe.execute()
        basis: dict[str, str | None] = {}
        for pid, meta in zip(profile_ids, metas, strict=True):
            basis[pid] = None
            if meta:
                try:
                    basis[pid] = MatchRun.model_validate_json(meta).data_version
                except ValidationError as exc:
                    self._quarantine_meta(pid, field_locations(exc))
        return basis

    def get_trial(self, nct_id: str) -> Trial:
        with redis_errors("reading a trial"):
            version = self.get_str(self.keys.trial_latest(nct_id))
            body = self.get_str(self.keys.trial(nct_id, version)) if version else None
        if body is None:
            raise NotFound(f"trial {nct_id} not in the cache")
        return Trial.model_validate_json(body)

    def cached_data_version(self) -> str | None:
        with redis_errors("reading the data version"):
            return self.get_str(self.keys.data_version())

    def cache_data_version(self, version: str, ttl_s: int) -> None:
        with redis_errors("caching the data version"):
            self.r.set(self.keys.data_version(), version, ex=ttl_s)
