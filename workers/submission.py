"""Submitting a profile: validate, store profile + job atomically, enqueue by id, or undo.

Order matters: validation happens before any write (bad input writes and enqueues nothing); the
profile is stored before the task is published (the task loads it by id); if publishing fails the
store write is rolled back, so a failed submission leaves nothing behind.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from matcher.errors import BrokerUnavailable, NotFound
from matcher.metrics import SUBMISSIONS
from matcher.models import ProfileIn, StoredProfile
from matcher.models.profile import parse_profile
from matcher.settings import get_settings
from matcher.store import Store

log = logging.getLogger(__name__)


Publish = Callable[[str, str], object]  # (profile_id, job_id) -> anything; raises if it failed


def publish_with_default_app(profile_id: str, job_id: str) -> object:
    from workers.tasks import match_profile  # the Celery app is only needed to publish

    # The job id doubles as the Celery task id, so the job record and task logs line up.
    return match_profile.apply_async(args=[profile_id, job_id], task_id=job_id)


@dataclass(frozen=True)
class Submission:
    profile_id: str
    job_id: str
    revision: int


def submit_json(
    store: Store,
    raw: str | bytes,
    *,
    board_id: str = "default",
    publish: Publish = publish_with_default_app,
    retention_days: int | None = None,
) -> Submission:
    """Validate raw JSON and submit it. Raises InvalidProfile before touching Redis."""
    try:
        profile = parse_profile(raw)
    except Exception:
        SUBMISSIONS.labels("invalid").inc()
        raise
    return submit(store, profile, board_id=board_id, publish=publish, retention_days=retention_days)


def submit(
    store: Store,
    profile: ProfileIn,
    *,
    board_id: str = "default",
    publish: Publish = publish_with_default_app,
    retention_days: int | None = None,
) -> Submission:
    if retention_days is None:
        retention_days = get_settings().profile_retention_days
    try:
        revision = store.load_profile(profile.profile_id).revision + 1
    except NotFound:
        revision = 1
    now = datetime.now(UTC)
    stored = StoredProfile(
        profile=profile,
        board_id=board_id,
        revision=revision,
        submitted_at=now,
        expires_at=now + timedelta(days=retention_days),
    )
    job_id = uuid.uuid4().hex
    previous = store.save_submission(stored, job_id)
    try:
        publish(profile.profile_id, job_id)
    except (OperationalError, RedisError, OSError) as exc:
        SUBMISSIONS.labels("broker_unavailable").inc()
        try:
            store.undo_submission(profile.profile_id, job_id, previous)
        except Exception:  # the store is the same Redis: it may be down too
            log.error("could not roll back job_id=%s after a publish failure", job_id)
        raise BrokerUnavailable(f"could not enqueue the match task: {type(exc).__name__}") from exc
    SUBMISSIONS.labels("accepted").inc()
    log.info("submitted profile_id=%s job_id=%s revision=%d", profile.profile_id, job_id, revision)
    return Submission(profile.profile_id, job_id, revision)
