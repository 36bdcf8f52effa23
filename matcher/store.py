"""Redis persistence: profiles, jobs, match sets and the shared trial cache.

Guarantees the rest of the code relies on:
- Every multi-key write is one transaction (MULTI/EXEC or a Lua script): a reader never sees a
  half-written submission or match set.
- A match set is replaced whole by a fenced Lua script: a run that started earlier than the live
  set's run cannot overwrite it, and a redelivered run overwrites (hash keyed by NCT id), so no
  duplicate records exist.
- Everything derived from a profile expires with it (EXPIREAT = the profile's retention end).
- Redis faults surface as `StoreError` within the socket timeout, never as a hang.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal, cast

import redis

from matcher.errors import NotFound, StoreError
from matcher.keys import Keys
from matcher.models import MatchRun, StoredProfile, Trial, TrialMatch
from matcher.models.change import ChangeEntry
from matcher.settings import Settings
from matcher.store_loop import BoardLoopStore

JobStatus = Literal["queued", "running", "done", "failed"]
MAX_CHANGES = 500  # change entries kept per profile (oldest dropped first)

# Replace the live match set only if this run is not older than the one stored (fencing), and
# append its change entries in the same step, so the log and the set can never disagree.
# KEYS: matches hash, meta hash, change list. ARGV: seq, meta JSON, expire-at (unix s),
# max change entries kept, number of change entries N, N change JSONs, then nct/json pairs.
_WRITE_MATCHES = """
local current = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0')
if tonumber(ARGV[1]) < current then return 0 end
local n_changes = tonumber(ARGV[5])
for i = 6, 5 + n_changes do redis.call('RPUSH', KEYS[3], ARGV[i]) end
if n_changes > 0 then
  redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
  redis.call('EXPIREAT', KEYS[3], ARGV[3])
end
redis.call('DEL', KEYS[1])
for i = 6 + n_changes, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[2], 'seq', ARGV[1], 'run', ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('EXPIREAT', KEYS[1], ARGV[3]) end
redis.call('EXPIREAT', KEYS[2], ARGV[3])
return 1
"""


# Claim a board's reference for a profile unless another profile of that board holds it.
# KEYS[1]: reference key. ARGV: profile id, claim TTL (s). The claim is short-lived until
# save_submission extends it to the profile's retention in the same transaction as the profile,
# so a submission that dies in between blocks its reference for seconds, not for months.
_CLAIM_REFERENCE = """
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return current end
if not current then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return false
"""
CLAIM_TTL_S = 120
# Delete a reference key only while it still points at this profile. KEYS[1]; ARGV[1]: id.
_RELEASE_REFERENCE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


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
        self._write_matches = client.register_script(_WRITE_MATCHES)
        self._claim_reference = client.register_script(_CLAIM_REFERENCE)
        self._release_reference = client.register_script(_RELEASE_REFERENCE)

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        """The store of this deployment: its Redis (with timeouts) and its key prefix."""
        return cls(connect(settings), Keys(settings.key_prefix))

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
                keys=[self.keys.reference(board_id, reference)], args=[profile_id, CLAIM_TTL_S]
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
        return StoredProfile.model_validate_json(raw)

    def profile_exists(self, profile_id: str) -> bool:
        with redis_errors("checking a profile"):
            return bool(self.r.exists(self.keys.profile(profile_id)))

    def set_job(self, job_id: str, status: JobStatus, reason: str = "") -> None:
        with redis_errors("updating a job"):
            key = self.keys.job(job_id)
            # Only touch jobs that exist: a deleted profile's late task must not resurrect keys.
            if self.r.exists(key):
                fields = {
                    "status": status,
                    "reason": reason[:500],
                    "updated_at": _now().isoformat(),
                }
                self.hset_str(key, fields)
            if status != "queued":  # a worker has it: no longer the lost-job sweep's concern
                self.r.zrem(self.keys.jobs_pending(), job_id)

    def get_job(self, job_id: str) -> dict[str, str]:
        with redis_errors("reading a job"):
            job = self.hgetall_str(self.keys.job(job_id))
        if not job:
            raise NotFound(f"job {job_id} not found")
        return job

    def count_delivery(self, task_id: str, retries: int) -> int:
        """How many times this (task, retry attempt) has been delivered; for the poison guard."""
        key = self.keys.deliveries(task_id, retries)
        with redis_errors("counting deliveries"):
            pipe = self.r.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, 86_400)
            count, _ = pipe.execute()
        return int(count)

    # --- match sets -------------------------------------------------------------------
    def next_run_seq(self, profile_id: str) -> int:
        with redis_errors("starting a run"):
            return int(self.r.incr(self.keys.run_seq(profile_id)))

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
        with redis_errors("writing matches"):
            keys = [self.keys.matches(pid), self.keys.match_meta(pid), self.keys.changes(pid)]
            written = self._write_matches(keys=keys, args=args)
            self.r.expireat(self.keys.run_seq(pid), int(expires_at.timestamp()))
        return bool(written)

    def read_matches(self, profile_id: str) -> MatchRun | None:
        """The live match set, ranked; read in one transaction so it is never a mix of two runs."""
        with redis_errors("reading matches"):
            pipe = self.r.pipeline(transaction=True)
            pipe.hget(self.keys.match_meta(profile_id), "run")
            pipe.hvals(self.keys.matches(profile_id))
            meta, values = pipe.execute()
        if meta is None:
            return None
        results = [TrialMatch.model_validate_json(v) for v in values]
        results.sort(key=lambda m: (-m.score, m.nct_id))
        return MatchRun.model_validate_json(meta).model_copy(update={"results": results})

    def read_changes(self, profile_id: str, since: datetime | None = None) -> list[ChangeEntry]:
        with redis_errors("reading changes"):
            raw = cast("list[str]", self.r.lrange(self.keys.changes(profile_id), 0, -1))
        entries = [ChangeEntry.model_validate_json(item) for item in raw]
        return [e for e in entries if since is None or e.at > since]

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
