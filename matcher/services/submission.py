"""Submitting a profile, the one semantics of the API and the CLI: create, or replace by id.

- `create` stores a *new* profile under a server-assigned opaque id. If the board already has a
  live profile with the same `reference`, nothing is stored and `ReferenceInUse` names that
  profile's id (the API answers 409, the CLI exits 2). References are scoped per board, so no
  board can learn about, or block, another board's references.
- `replace` stores a new revision of one of the board's own profiles, by id; another board's id
  is `NotFound`, exactly like a missing one. A reference left out keeps the stored one.

Order matters: validation happens before any write (bad input writes and enqueues nothing); the
profile is stored before the task is published (the task loads it by id); if publishing fails the
store write is rolled back, so a failed submission leaves nothing behind. Logs carry ids only,
never the reference or any other value of the profile.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from matcher.adapters.store import Store
from matcher.domain.eligibility import profile_warnings
from matcher.domain.models import ProfileIn, StoredProfile
from matcher.domain.models.profile import assessment_warnings, parse_profile
from matcher.errors import BrokerUnavailable, NotFound, ReferenceInUse
from matcher.metrics import SUBMISSIONS
from matcher.settings import get_settings

log = logging.getLogger(__name__)


# (profile_id, job_id) -> anything; raises if it failed. Injected by the caller: the API's
# matcher.adapters.queue.TaskPublisher, the CLI's and the worker's workers.publish, a test's own.
Publish = Callable[[str, str], object]


def new_profile_id() -> str:
    """An opaque id: 96 random bits, nothing derived from the patient or the board."""
    return f"p_{secrets.token_hex(12)}"


@dataclass(frozen=True)
class Submission:
    profile_id: str
    job_id: str
    revision: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Options:
    """Where and how to submit; settings fill what is not given."""

    publish: Publish
    board_id: str = "default"
    retention_days: int | None = None
    # Settings.assessment_max_age_days; the API and the CLI pass their configured value.
    assessment_max_age_days: int = 90


def submit_json(
    store: Store,
    raw: str | bytes,
    *,
    board_id: str = "default",
    publish: Publish,
    retention_days: int | None = None,
    replace_id: str | None = None,
    assessment_max_age_days: int = 90,
) -> Submission:
    """Validate raw JSON and create it (or replace `replace_id`). Raises InvalidProfile before
    touching Redis."""
    try:
        profile = parse_profile(raw)
    except Exception:
        SUBMISSIONS.labels("invalid").inc()
        raise
    options = Options(
        publish=publish, board_id=board_id, retention_days=retention_days,
        assessment_max_age_days=assessment_max_age_days,
    )  # fmt: skip
    if replace_id is not None:
        return replace(store, replace_id, profile, options)
    return create(store, profile, options)


def create(store: Store, profile: ProfileIn, options: Options) -> Submission:
    """Store a new profile under a fresh id and queue its match (ReferenceInUse: nothing done)."""
    profile_id = new_profile_id()
    expires_at = _expiry(options)
    if profile.reference is not None:
        held = store.claim_reference(options.board_id, profile.reference, profile_id)
        if held is not None:
            SUBMISSIONS.labels("conflict").inc()
            raise ReferenceInUse(held)
    try:
        return _store_and_publish(store, profile_id, profile, 1, expires_at, options)
    except BaseException:
        if profile.reference is not None:
            _quietly(store.release_reference, options.board_id, profile.reference, profile_id)
        raise


def replace(store: Store, profile_id: str, profile: ProfileIn, options: Options) -> Submission:
    """A new revision of the board's own profile `profile_id` (NotFound otherwise)."""
    current = owned(store, profile_id, options.board_id)
    expires_at = _expiry(options)
    old_ref = current.profile.reference
    if profile.reference is None and old_ref is not None:
        profile = profile.model_copy(update={"reference": old_ref})  # left out: kept
    new_ref = profile.reference
    if new_ref is not None:  # idempotent for the profile's own reference
        held = store.claim_reference(options.board_id, new_ref, profile_id)
        if held is not None:
            SUBMISSIONS.labels("conflict").inc()
            raise ReferenceInUse(held)
    try:
        sub = _store_and_publish(
            store, profile_id, profile, current.revision + 1, expires_at, options
        )
    except BaseException:
        if new_ref is not None and new_ref != old_ref:
            _quietly(store.release_reference, options.board_id, new_ref, profile_id)
        raise
    if old_ref is not None and old_ref != new_ref:
        store.release_reference(options.board_id, old_ref, profile_id)
    return sub


def owned(store: Store, profile_id: str, board_id: str) -> StoredProfile:
    """The stored profile if it belongs to `board_id`; otherwise NotFound, same as a missing one."""
    try:
        stored = store.load_profile(profile_id)
    except NotFound:
        stored = None
    if stored is None or stored.board_id != board_id:
        raise NotFound(f"profile {profile_id} not found")
    return stored


def _expiry(options: Options) -> datetime:
    days = options.retention_days
    if days is None:
        days = get_settings().profile_retention_days
    return datetime.now(UTC) + timedelta(days=days)


def _store_and_publish(
    store: Store,
    profile_id: str,
    profile: ProfileIn,
    revision: int,
    expires_at: datetime,
    options: Options,
) -> Submission:
    now = datetime.now(UTC)
    stored = StoredProfile(
        profile_id=profile_id,
        profile=profile,
        board_id=options.board_id,
        revision=revision,
        submitted_at=now,
        expires_at=expires_at,
    )
    job_id = uuid.uuid4().hex
    previous = store.save_submission(stored, job_id)
    try:
        options.publish(profile_id, job_id)
    except (OperationalError, RedisError, OSError) as exc:
        SUBMISSIONS.labels("broker_unavailable").inc()
        _quietly(store.undo_submission, profile_id, job_id, previous)
        raise BrokerUnavailable(f"could not enqueue the match task: {type(exc).__name__}") from exc
    SUBMISSIONS.labels("accepted").inc()
    log.info("submitted profile_id=%s job_id=%s revision=%d", profile_id, job_id, revision)
    # one list: how the profile is read (an unrecognised diagnosis) and plausibility notes
    warnings = profile_warnings(profile) + assessment_warnings(
        profile, date.today(), options.assessment_max_age_days
    )
    return Submission(profile_id, job_id, revision, warnings)


def _quietly(undo: Callable[..., None], *args: object) -> None:
    """Roll back after a failure; the store is the same Redis, so it may be down too."""
    try:
        undo(*args)
    except Exception:
        log.error("could not roll back a submission (%s)", undo.__name__)
