"""The Redis side of the board's loop (matcher/domain/answers.py,
matcher/services/board_loop.py): the review marker, board answers, re-match jobs and each board's
list of profiles.

Every key it writes expires with the profile and is erased with it (matcher/services/erase.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import cast

from matcher.adapters.store.base import StoreBase
from matcher.adapters.store.client import redis_errors
from matcher.domain.models import StoredProfile
from matcher.domain.models.answer import BoardAnswer
from matcher.errors import NotFound, ProfileGone


def _str(reply: object) -> str | None:
    return cast("str | None", reply)  # the client decodes replies (decode_responses=True)


def _hash(reply: object) -> dict[str, str]:
    return cast("dict[str, str]", reply)


def _set(reply: object) -> set[str]:
    return cast("set[str]", reply)


class BoardLoopStore(StoreBase):
    """Store methods of the board's loop."""

    def mark_reviewed(
        self, profile_id: str, meeting: date, at: datetime, expires_at: datetime
    ) -> None:
        """Record that the board reviewed this profile at the meeting of `meeting` (now: `at`)."""
        value = json.dumps({"at": at.isoformat(), "meeting": meeting.isoformat()})
        with redis_errors("recording the review"):
            key = self.keys.report_marker(profile_id)
            self.r.set(key, value, exat=int(expires_at.timestamp()))

    def last_review(self, profile_id: str) -> tuple[datetime, date | None] | None:
        """(recorded at, meeting date) of the last review, or None. A marker of an earlier
        version (a bare time, moved by every view of the report) is not a review: ignored."""
        with redis_errors("reading the last review"):
            raw = _str(self.r.get(self.keys.report_marker(profile_id)))
        if not raw or not raw.startswith("{"):
            return None
        try:
            data = json.loads(raw)
            at = datetime.fromisoformat(data["at"])
            meeting = date.fromisoformat(data["meeting"]) if data.get("meeting") else None
        except (ValueError, KeyError, TypeError):
            return None
        return (at if at.tzinfo else at.replace(tzinfo=UTC)), meeting

    def put_answer(self, profile_id: str, answer: BoardAnswer, expires_at: datetime) -> None:
        """Store the board's answer while the profile exists (NotFound once it is erased)."""
        with redis_errors("saving an answer"):
            done = self.scripts.put_answer(
                keys=[self.keys.answers(profile_id), self.keys.profile(profile_id)],
                args=[answer.field, answer.model_dump_json(), int(expires_at.timestamp())],
            )
        if not int(done):
            raise NotFound(f"profile {profile_id} not found")

    def delete_answer(self, profile_id: str, field: str) -> bool:
        with redis_errors("deleting an answer"):
            return bool(self.r.hdel(self.keys.answers(profile_id), field))

    def read_answers(self, profile_id: str) -> dict[str, BoardAnswer]:
        with redis_errors("reading answers"):
            raw = _hash(self.r.hgetall(self.keys.answers(profile_id)))
        return {f: BoardAnswer.model_validate_json(v) for f, v in raw.items()}

    def set_answers_aside(self, profile_id: str, answers: Sequence[BoardAnswer]) -> None:
        """Store these answers (already marked set aside) over the live ones, only where the
        field still exists (an answer deleted meanwhile is not brought back) and only while the
        profile exists (a task's write: ProfileGone once it is erased)."""
        if not answers:
            return
        args = [x for a in answers for x in (a.field, a.model_dump_json())]
        with redis_errors("setting answers aside"):
            done = self.scripts.set_answers_aside(
                keys=[self.keys.answers(profile_id), self.keys.profile(profile_id)], args=args
            )
        if int(done) < 0:
            raise ProfileGone(f"profile {profile_id} was erased")

    def add_job(self, profile_id: str, board_id: str, job_id: str, expires_at: datetime) -> None:
        """A queued match job for a stored profile (a re-match), as save_submission records it;
        only while the profile exists (NotFound once it is erased, nothing written)."""
        now = datetime.now(UTC)
        k = self.keys
        keys = [k.job(job_id), k.profile_jobs(profile_id), k.jobs_pending(), k.profile(profile_id)]
        with redis_errors("queueing a re-match"):
            done = self.scripts.add_job(
                keys=keys,
                args=[job_id, profile_id, board_id, now.isoformat(), now.timestamp(),
                      int(expires_at.timestamp())],
            )  # fmt: skip
        if not int(done):
            raise NotFound(f"profile {profile_id} not found")

    def board_profiles(self, board_id: str) -> list[StoredProfile]:
        """The board's live profiles (ids whose profile has expired or gone are pruned)."""
        with redis_errors("listing the board's profiles"):
            ids = sorted(_set(self.r.smembers(self.keys.board_profiles(board_id))))
            raws = cast("list[str | None]", self.r.mget([self.keys.profile(i) for i in ids]))
            gone = [i for i, raw in zip(ids, raws, strict=True) if raw is None]
            if gone:
                self.r.srem(self.keys.board_profiles(board_id), *gone)
        found = [StoredProfile.model_validate_json(raw) for raw in raws if raw is not None]
        return [s for s in found if s.board_id == board_id]

    def latest_job(self, profile_id: str) -> dict[str, str] | None:
        """The profile's most recently created job record (status, reason), if any is kept."""
        with redis_errors("reading the profile's jobs"):
            ids = sorted(_set(self.r.smembers(self.keys.profile_jobs(profile_id))))
            pipe = self.r.pipeline(transaction=False)
            for job_id in ids:
                pipe.hgetall(self.keys.job(job_id))
            jobs = [_hash(j) for j in pipe.execute()] if ids else []
        jobs = [j for j in jobs if j]
        return max(jobs, key=lambda j: j.get("created_at", "")) if jobs else None

    def forget_board_profile(self, board_id: str, profile_id: str) -> None:
        with redis_errors("updating the board's profile list"):
            self.r.srem(self.keys.board_profiles(board_id), profile_id)

    def drop_job(self, profile_id: str, job_id: str) -> None:
        """Undo `add_job` after the task could not be published."""
        with redis_errors("dropping a job"):
            pipe = self.r.pipeline(transaction=True)
            pipe.delete(self.keys.job(job_id))
            pipe.srem(self.keys.profile_jobs(profile_id), job_id)
            pipe.zrem(self.keys.jobs_pending(), job_id)
            pipe.execute()
