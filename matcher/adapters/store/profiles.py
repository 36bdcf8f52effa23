"""Profiles, their board references and their jobs (submission, status, lost-job sweep)."""

from __future__ import annotations

from typing import Literal, cast

from pydantic import ValidationError

from matcher.adapters.store.base import StoreBase
from matcher.adapters.store.client import now, redis_errors
from matcher.adapters.store.scripts import CLAIM_TTL_S
from matcher.domain.models import StoredProfile
from matcher.errors import NotFound, ProfileGone, StoredRecordUnreadable, field_locations

JobStatus = Literal["queued", "running", "done", "failed"]


class ProfileStore(StoreBase):
    def save_submission(self, stored: StoredProfile, job_id: str) -> str | None:
        """Store the profile and a queued job atomically; return the previous profile JSON."""
        pid = stored.profile_id
        expire_at = int(stored.expires_at.timestamp())
        with redis_errors("saving the profile"):
            previous = self.get_str(self.keys.profile(pid))
            at = now().isoformat()
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
                    "created_at": at,
                    "updated_at": at,
                },
            )
            pipe.expireat(self.keys.job(job_id), expire_at)
            pipe.sadd(self.keys.profile_jobs(pid), job_id)
            pipe.zadd(self.keys.jobs_pending(), {job_id: now().timestamp()})
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
            held = self.scripts.claim_reference(
                keys=[self.keys.reference(board_id, reference)], args=[profile_id, CLAIM_TTL_S]
            )
        return str(held) if held else None

    def release_reference(self, board_id: str, reference: str, profile_id: str) -> None:
        """Free the board's reference if it still points at `profile_id`."""
        with redis_errors("releasing a reference"):
            self.scripts.release_reference(
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

    def raw_profile(self, profile_id: str) -> str | None:
        """The stored profile record as text, unvalidated (erasure reads its owner from it)."""
        with redis_errors("reading a profile"):
            return self.get_str(self.keys.profile(profile_id))

    def profile_exists(self, profile_id: str) -> bool:
        with redis_errors("checking a profile"):
            return bool(self.r.exists(self.keys.profile(profile_id)))

    def profiles_expiring_by(self, at: float) -> list[str]:
        """Ids of profiles whose retention ends at or before unix time `at` (all: infinity)."""
        with redis_errors("listing profiles"):
            return self.zrange_upto(self.keys.profiles_index(), at)

    def set_job(
        self, job_id: str, status: JobStatus, reason: str = "", *, lease_s: float = 0
    ) -> bool:
        """Update a job that still exists (False if it was erased); `running` takes a lease of
        `lease_s` seconds after which the lost-job sweep may recover it. One script checks and
        writes, so an erasure in between cannot leave a job hash recreated without its TTL."""
        at = now()
        k = self.keys
        with redis_errors("updating a job"):
            args: list[str | float] = [status, reason[:500], at.isoformat(), job_id]
            args += [at.timestamp() + lease_s, at.timestamp()]
            keys = [k.job(job_id), k.jobs_pending(), k.jobs_running()]
            done = self.scripts.set_job(keys=keys, args=args)
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
            count = int(self.scripts.count_delivery(keys=[key, guard_key], args=[86_400]))
        return None if count < 0 else count

    def set_marker_while_profile(
        self, key: str, profile_id: str, value: str, ttl_s: int
    ) -> tuple[bool, str | None]:
        """SET NX EX of a per-profile marker, only while the profile exists (ProfileGone).
        Returns (newly set, the value now stored)."""
        with redis_errors("setting a marker"):
            state, current = self.scripts.set_marker(
                keys=[key, self.keys.profile(profile_id)], args=[value, ttl_s]
            )
        if int(state) < 0:
            raise ProfileGone(f"profile {profile_id} was erased")
        return int(state) == 1, None if current is None else str(current)

    # --- the lost-job sweep (workers/recovery.py decides; this only reads and prunes) -------
    def jobs_stale(self, queued_before: float, lease_end: float) -> tuple[list[str], list[str]]:
        """(ids queued before `queued_before`, ids running with a lease ended by `lease_end`)."""
        with redis_errors("sweeping lost jobs"):
            stale = self.zrange_upto(self.keys.jobs_pending(), queued_before)
            expired = self.zrange_upto(self.keys.jobs_running(), lease_end)
        return stale, expired

    def broker_messages(self, queue: str) -> list[str]:
        """The raw messages Celery's Redis transport holds: waiting in `queue`, or unacked."""
        prefix = self.keys.broker_prefix()
        with redis_errors("sweeping lost jobs"):
            queued = cast("list[str]", self.r.lrange(prefix + queue, 0, -1))
            unacked = cast("list[str]", self.r.hvals(prefix + "unacked"))
        return queued + unacked

    def job_if_status(self, job_id: str, status: JobStatus) -> dict[str, str] | None:
        """The job record while it still has `status`; else None, and the job leaves the index
        of that status (it was erased, picked up or finished meanwhile)."""
        index = self.keys.jobs_pending() if status == "queued" else self.keys.jobs_running()
        with redis_errors("sweeping lost jobs"):
            job = self.hgetall_str(self.keys.job(job_id))
            if job.get("status") != status:
                self.r.zrem(index, job_id)
                return None
        return job
