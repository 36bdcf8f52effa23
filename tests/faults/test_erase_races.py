"""Erasure racing in-flight work, through a real worker (issue 11, finding 2).

Whatever the ordering — erased before the task runs, while it runs, between the store write and
the publish of a submission, or while a scheduled re-match runs — the task ends `cancelled`
having written nothing, and a keyspace scan finds no key naming the profile or its job.
"""

from __future__ import annotations

import time

import pytest

from matcher.services.erase import erase_profile
from matcher.services.submission import submit_json
from tests.faults.conftest import FaultStack, StackFactory, wait_until
from tests.support.profiles import example_json

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _ended(stack: FaultStack, task_id: str) -> bool:
    """Celery's trace logged the end of this task, whatever its outcome."""
    logs = stack.logs()
    return any(f"[{task_id}] {end}" in logs for end in ("succeeded", "raised", "retry"))


def _settle(stack: FaultStack, task_id: str) -> None:
    """The task has ended and the broker holds nothing more."""
    wait_until(lambda: _ended(stack, task_id), 45, f"task {task_id} ended")
    wait_until(lambda: stack.queue_len() == 0 and stack.unacked() == 0, 15, "broker drained")
    time.sleep(0.5)  # anything the worker still had in flight would land now


def _leftovers(stack: FaultStack, *names: str) -> list[str]:
    """Keys naming the profile or its job, and index entries still pointing at them."""
    r, k = stack.store.r, stack.store.keys
    found = sorted(key for key in r.scan_iter("*") if any(n in key for n in names))
    for index in (k.profiles_index(), k.recheck(), k.jobs_pending(), k.jobs_running()):
        found += [f"{index}[{n}]" for n in names if r.zscore(index, n) is not None]
    return found


def _clean_log(stack: FaultStack, *task_ids: str) -> None:
    """Each task ended `cancelled`, without a traceback or an unexpected NotFound."""
    logs = stack.logs()
    for task_id in task_ids:
        assert f"cancelled: profile erased task_id={task_id}" in logs, logs
    assert "Traceback" not in logs, logs
    assert "NotFound" not in logs, logs


@pytest.mark.timeout(90)
def test_erased_before_the_task_runs(make_stack: StackFactory) -> None:
    """A queued job whose profile is erased before any worker takes it writes nothing."""
    stack = make_stack()
    sub = stack.submit("E-before")
    assert erase_profile(stack.store, sub.profile_id) > 0
    assert stack.queue_len() == 1  # the message still names the profile; the task must cope
    stack.start_worker()
    _settle(stack, sub.job_id)
    assert _leftovers(stack, sub.profile_id, sub.job_id) == []
    _clean_log(stack, sub.job_id)


@pytest.mark.timeout(90)
def test_erased_while_the_task_runs(make_stack: StackFactory) -> None:
    """Erased while the worker searches (after its run began): no set, seq or job is written."""
    stack = make_stack(latency_s=1)
    erased: list[int] = []

    def erase_mid_search(path: str, params: dict[str, str]) -> None:
        if path == "/api/v2/studies" and not erased:
            # The id is the server's: wait (briefly) for the submission call to hand it back.
            wait_until(lambda: "E-during" in stack.ids, 5, "the submission's id")
            erased.append(erase_profile(stack.store, stack.pid("E-during")))

    stack.stub.on_request = erase_mid_search
    stack.start_worker()
    sub = stack.submit("E-during")
    _settle(stack, sub.job_id)
    assert erased, "the search never happened"
    assert erased[0] > 0
    assert _leftovers(stack, sub.profile_id, sub.job_id) == []
    _clean_log(stack, sub.job_id)


@pytest.mark.timeout(90)
def test_erased_between_store_and_publish(make_stack: StackFactory) -> None:
    """Erased after the submission's store write but before its publish: the task writes nothing."""
    stack = make_stack()
    stack.start_worker()

    def erase_then_publish(profile_id: str, job_id: str) -> object:
        erase_profile(stack.store, profile_id)
        return stack.publish(profile_id, job_id)

    sub = submit_json(
        stack.store,
        example_json("E-gap", dated_today=False),
        publish=erase_then_publish,
        retention_days=30,
    )
    _settle(stack, sub.job_id)
    assert _leftovers(stack, sub.profile_id, sub.job_id) == []
    _clean_log(stack, sub.job_id)


@pytest.mark.timeout(120)
def test_erased_during_a_scheduled_rematch(make_stack: StackFactory) -> None:
    """Erased while a re-match searches new registry data: no marker, set or seq is rewritten."""
    stack = make_stack(latency_s=1)
    stack.start_worker()
    first = stack.submit("E-rematch")
    assert stack.wait_job(first.job_id, timeout=45)["status"] == "done"
    stack.new_data_version("v2")  # the re-match searches again, where the erasure lands
    erased: list[int] = []

    def erase_mid_search(path: str, params: dict[str, str]) -> None:
        if path == "/api/v2/studies" and not erased:
            erased.append(erase_profile(stack.store, first.profile_id))

    stack.stub.on_request = erase_mid_search
    result = stack.app.send_task("trialmatch.rematch_profile", args=[first.profile_id, "2026-W48"])
    _settle(stack, result.id)
    assert erased, "the re-match never searched"
    assert _leftovers(stack, first.profile_id, first.job_id) == []
    # A re-match message that arrives after the erasure (a late beat tick) writes nothing either.
    late = stack.app.send_task("trialmatch.rematch_profile", args=[first.profile_id, "2026-W49"])
    _settle(stack, late.id)
    assert _leftovers(stack, first.profile_id, first.job_id) == []
    _clean_log(stack, result.id, late.id)
