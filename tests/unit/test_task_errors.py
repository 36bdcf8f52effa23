"""How a task body's exceptions leave a task (workers/tasks.py), without a broker or Redis.

Pins the decisions behind issue 11 findings 9 and 12: a Redis fault hands the message back with
requeue (never a retry publish, never an ack), Celery's cancel step writes nothing, and foreign
exception text (which may quote stored values) never reaches Celery's trace log or a job reason.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis
from celery.exceptions import Reject, Retry
from pydantic import BaseModel

from matcher.errors import (
    ProfileGone,
    StoredRecordUnreadable,
    StoreError,
    UnexpectedError,
    UpstreamUnavailable,
    field_locations,
    reason_for,
)
from workers import tasks

CANARY = "Canary-Value-7731"  # constructed


class _Request:
    id = "task-1"
    retries = 0


class _Task:
    request = _Request()

    def retry(self, exc: Exception, countdown: float, max_retries: int = 0) -> Retry:
        raise Retry(exc=exc, when=countdown)


def _raised(exc: BaseException) -> BaseException:
    """What leaves `task_errors` when the task body raises `exc`."""
    try:
        with tasks.task_errors(_Task()):
            raise exc
    except BaseException as out:  # the point is to capture whatever leaves
        return out
    raise AssertionError("task_errors swallowed the exception")


@pytest.mark.parametrize(
    "fault", [StoreError("Redis unavailable"), redis.ConnectionError("refused")]
)
def test_redis_fault_requeues_the_message_instead_of_publishing_a_retry(fault: Exception) -> None:
    """StoreError or a raw redis error becomes Reject(requeue=True): no publish, no ack."""
    out = _raised(fault)
    assert isinstance(out, Reject)
    assert out.requeue is True


def test_a_retry_that_cannot_be_published_is_requeued_not_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Celery turns an unpublishable retry into Reject(requeue=False); we requeue instead."""

    class DeadBroker(_Task):
        def retry(self, exc: Exception, countdown: float, max_retries: int = 0) -> Retry:
            raise Reject(exc, requeue=False)  # what Task.retry does when apply_async fails

    monkeypatch.setattr(tasks, "_redis_back", lambda until: False)
    with pytest.raises(Reject) as caught, tasks.task_errors(DeadBroker()):
        raise UpstreamUnavailable("GET /studies: 503")
    assert caught.value.requeue is True


def test_a_published_retry_goes_ahead() -> None:
    """A transient upstream fault is retried through Celery (a Retry leaves the task)."""
    out = _raised(UpstreamUnavailable("GET /studies: 503"))
    assert isinstance(out, Retry)


def test_foreign_exception_is_reduced_to_its_class_name() -> None:
    """A ValueError quoting a value leaves the task as UnexpectedError('ValueError') only."""
    out = _raised(ValueError(f"bad value {CANARY}"))
    assert isinstance(out, UnexpectedError)
    assert CANARY not in repr(out)
    assert out.__suppress_context__
    assert reason_for(ValueError(CANARY)) == "ValueError"


def test_pydantic_error_reason_names_fields_not_values() -> None:
    """field_locations gives the paths of a ValidationError; our error carries only those."""

    class Model(BaseModel):
        age: int
        sex: str

    try:
        Model.model_validate({"age": CANARY, "sex": 3})
    except Exception as exc:  # pydantic.ValidationError
        fields = field_locations(exc)
    assert fields == ["age", "sex"]
    err = StoredRecordUnreadable("profile", "P-1", fields)
    assert CANARY not in reason_for(err)
    assert (
        reason_for(err)
        == "StoredRecordUnreadable: stored profile P-1 is unreadable: fields age, sex"
    )


@pytest.mark.parametrize(
    "exc",
    [
        Retry(),
        Reject("x", requeue=False),
        ProfileGone("gone"),
        StoredRecordUnreadable("profile", "P", []),
    ],
)
def test_celery_control_flow_and_our_errors_pass_through(exc: Exception) -> None:
    """Retry, Reject, ProfileGone and final errors of ours are re-raised unchanged."""
    assert _raised(exc) is exc


def test_on_retry_in_celerys_cancel_step_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery's cancel-on-connection-loss calls on_retry(einfo=None): no Redis call may happen."""

    def no_redis() -> Any:
        raise AssertionError("on_retry touched Redis during the cancel step")

    monkeypatch.setattr(tasks.runtime, "runtime", no_redis)
    tasks.match_profile.on_retry(Retry("cancelled by Celery"), "t", ["P-1", "job-1"], {}, None)


def test_on_retry_swallows_a_failing_status_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """A retry whose status write fails still goes ahead (the write is best-effort)."""

    class Store:
        def set_job(self, *a: Any, **kw: Any) -> bool:
            raise StoreError("Redis unavailable while updating a job: ConnectionError")

    class Runtime:
        store = Store()

    monkeypatch.setattr(tasks.runtime, "runtime", lambda: Runtime())
    tasks.match_profile.on_retry(UpstreamUnavailable("503"), "t", ["P-1", "job-1"], {}, object())
