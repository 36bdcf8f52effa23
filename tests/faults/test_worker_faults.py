"""Worker processes dying, stopping or running long mid-task (checklist items 1-5).

Real redis-server, real `celery worker` subprocesses, a CT.gov stub slow enough (seconds per
request) that a task is reliably still running when the fault is injected.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from matcher.domain.models import MatchRun
from matcher.services.submission import submit_json
from tests.faults.conftest import SHORT_VT_ENV, FaultStack, StackFactory, wait_until
from tests.support.poison_tasks import runs_key
from tests.support.profiles import example_json

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _running(stack: FaultStack, job_id: str, path: str) -> bool:
    """The task is mid-flight: its job says running and the stub holds its request."""
    return stack.status(job_id) == "running" and stack.stub.count_path(path) > 0


@pytest.mark.timeout(90)
def test_child_sigkill_reruns_task_into_one_match_set(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A SIGKILLed prefork child's task is redelivered and re-run: one match set, job done."""
    stack = make_stack(latency_s=2)
    worker = stack.start_worker(concurrency=1)
    sub = stack.submit("F-child")
    wait_until(lambda: _running(stack, sub.job_id, "/version"), 30, "task mid-request")
    children = worker.children()
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)

    job = stack.wait_job(sub.job_id, timeout=60)
    assert job["status"] == "done", job
    assert stack.deliveries(sub.job_id) == 2  # the killed run and the re-run
    assert stack.hlen("F-child") == clean_count
    assert stack.seq("F-child") == stack.run_seq("F-child") == 2  # the re-run's set is live
    # The job is marked done just before the task returns and its message is acknowledged.
    wait_until(lambda: stack.queue_len() == 0 and stack.unacked() == 0, 10, "broker drained")


@pytest.mark.timeout(90)
def test_child_sigkill_while_holding_search_lock_still_reruns(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A child SIGKILLed while it holds the corpus lock does not make the re-run fail."""
    stack = make_stack(
        latency_s=2, TRIALMATCH_TASK_TIME_LIMIT_S="12", TRIALMATCH_TASK_SOFT_TIME_LIMIT_S="10"
    )
    worker = stack.start_worker(concurrency=1)
    sub = stack.submit("F-lock")
    wait_until(lambda: _running(stack, sub.job_id, "/studies"), 30, "task mid-search")
    assert stack.store.r.exists(stack.store.keys.corpus_lock())  # the dying child holds it
    os.kill(worker.children()[0], signal.SIGKILL)

    job = stack.wait_job(sub.job_id, timeout=60)
    assert job["status"] == "done", job
    assert stack.hlen("F-lock") == clean_count
    assert stack.seq("F-lock") == stack.run_seq("F-lock")


@pytest.mark.timeout(120)
def test_whole_worker_sigkill_then_new_worker_finishes_within_visibility_timeout(
    make_stack: StackFactory, clean_count: int
) -> None:
    """After the whole worker is SIGKILLed a new worker re-runs the task within VT + margin."""
    stack = make_stack(latency_s=2, **SHORT_VT_ENV)
    vt = int(SHORT_VT_ENV["TRIALMATCH_BROKER_VISIBILITY_TIMEOUT_S"])
    worker = stack.start_worker(concurrency=1)
    sub = stack.submit("F-worker")
    wait_until(lambda: _running(stack, sub.job_id, "/version"), 30, "task mid-request")
    killed_at = time.monotonic()
    worker.kill(signal.SIGKILL)
    worker.proc.wait(10)
    assert stack.unacked() == 1  # the message waits in the unacked hash, not in the queue
    assert stack.queue_len() == 0

    stack.start_worker(concurrency=1)
    job = stack.wait_job(sub.job_id, timeout=vt + 30, until=("done", "failed"))
    elapsed = time.monotonic() - killed_at
    assert job["status"] == "done", job
    assert elapsed < vt + 15, f"redelivery took {elapsed:.1f}s with VT={vt}s"
    assert stack.hlen("F-worker") == clean_count
    assert stack.seq("F-worker") == stack.run_seq("F-worker") == 2
    wait_until(lambda: stack.unacked() == 0, 10, "unacked hash drained")
    assert stack.store.r.zcard(stack.broker_key("unacked_index")) == 0
    assert stack.queue_len() == 0


@pytest.mark.timeout(120)
def test_warm_shutdown_mid_task_completes_or_requeues_once(
    make_stack: StackFactory, clean_count: int
) -> None:
    """SIGTERM mid-task lets the task finish (or requeues it for a replacement): one match set."""
    stack = make_stack(latency_s=2)
    worker = stack.start_worker(concurrency=1)
    sub = stack.submit("F-term")
    wait_until(lambda: _running(stack, sub.job_id, "/version"), 30, "task started")
    os.kill(worker.proc.pid, signal.SIGTERM)  # what docker/k8s send to the main process
    worker.proc.wait(60)
    assert "Warm shutdown" in worker.log()
    if stack.status(sub.job_id) != "done":  # requeued: a replacement worker must finish it
        stack.start_worker(concurrency=1)
    job = stack.wait_job(sub.job_id, timeout=60)
    assert job["status"] == "done", job
    assert stack.hlen("F-term") == clean_count
    assert stack.seq("F-term") == stack.run_seq("F-term")
    assert stack.deliveries(sub.job_id) <= 2
    wait_until(lambda: stack.unacked() == 0 and stack.queue_len() == 0, 15, "broker drained")


@pytest.mark.timeout(120)
def test_task_outliving_visibility_timeout_runs_twice_and_newer_run_wins(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A task slower than the VT is run concurrently twice; one record per NCT id, newest seq."""
    # Settings refuse VT <= time limit + backoff, so the message itself carries a longer hard
    # limit (as a task with its own time_limit would): the fencing must then keep the set sane.
    # Each 7 s answer must fit the request deadline (itself below the 8 s soft limit).
    stack = make_stack(
        latency_s=7, **{**SHORT_VT_ENV, "TRIALMATCH_CTGOV_REQUEST_DEADLINE_S": "7.9"}
    )
    stack.start_worker(concurrency=2)
    sub = submit_json(
        stack.store,
        example_json("F-dup", dated_today=False),
        publish=lambda pid, jid: stack.app.send_task(
            "trialmatch.match_profile",
            args=[pid, jid],
            task_id=jid,
            time_limit=60,
            soft_time_limit=50,
        ),
        retention_days=30,
    )
    job_id = sub.job_id
    stack.ids["F-dup"] = sub.profile_id
    # The sweep hands the still-running message to the second process after VT (12 s).
    wait_until(lambda: stack.deliveries(job_id) == 2, 40, "a concurrent second delivery")
    wait_until(lambda: stack.run_seq("F-dup") == 2, 20, "both runs started")
    wait_until(
        lambda: stack.logs().count(f"match run profile_id={sub.profile_id}") == 2,
        40,
        "both finished",
    )
    assert stack.status(job_id) == "done"
    assert stack.hlen("F-dup") == clean_count
    assert len(set(stack.nct_ids("F-dup"))) == clean_count
    assert stack.seq("F-dup") == 2  # whichever finished last, the newer run's set is live
    # And the fence itself: a late write from the older run is refused, the set unchanged.
    live = stack.store.read_matches(sub.profile_id)
    assert live is not None
    stale = MatchRun.model_validate(live.model_dump())
    expires = stack.store.load_profile(sub.profile_id).expires_at
    assert stack.store.write_matches(stale.model_copy(update={"results": []}), 1, expires) is False
    assert stack.hlen("F-dup") == clean_count
    assert stack.seq("F-dup") == 2


@pytest.mark.timeout(90)
def test_poison_task_stops_after_max_deliveries(make_stack: StackFactory) -> None:
    """A task that kills its child on every delivery stops after MAX_DELIVERIES, job failed."""
    stack = make_stack(TRIALMATCH_MAX_DELIVERIES="2")  # each lost child takes billiard ~5 s
    max_deliveries = int(stack.env["TRIALMATCH_MAX_DELIVERIES"])
    stack.start_worker(concurrency=1, extra_args=["--include", "tests.support.poison_tasks"])
    sub = submit_json(
        stack.store,
        example_json("F-poison", dated_today=False),
        publish=lambda pid, jid: stack.app.send_task(
            "tests.poison.kill_own_child", args=[pid, jid], task_id=jid
        ),
        retention_days=30,
    )
    job = stack.wait_job(sub.job_id, timeout=60)
    assert job["status"] == "failed", job
    assert "poison" in job["reason"], job
    runs = stack.store.r.get(runs_key(stack.store.keys.prefix, sub.job_id))
    assert int(runs or 0) == max_deliveries
    assert stack.deliveries(sub.job_id) == max_deliveries + 1  # the last one only acked it
    time.sleep(3)  # no endless loop: nothing is delivered after the job failed
    assert int(stack.store.r.get(runs_key(stack.store.keys.prefix, sub.job_id)) or 0) == (
        max_deliveries
    )
    assert stack.deliveries(sub.job_id) == max_deliveries + 1
    assert stack.queue_len() == 0
    assert stack.unacked() == 0


@pytest.mark.timeout(120)
def test_redis_restart_mid_task_still_ends_in_one_match_set(
    make_stack: StackFactory, clean_count: int
) -> None:
    """Redis restarting (AOF) under a running task: the job still ends done with one match set."""
    stack = make_stack(latency_s=2, aof=True, **SHORT_VT_ENV)
    stack.start_worker(concurrency=1)
    sub = stack.submit("F-broker")
    wait_until(lambda: _running(stack, sub.job_id, "/version"), 30, "task mid-request")
    time.sleep(1.2)  # let the AOF fsync (everysec) cover the delivery bookkeeping
    stack.server.restart()
    job = stack.wait_job(sub.job_id, timeout=60)
    assert job["status"] == "done", (job, stack.logs())
    assert stack.hlen("F-broker") == clean_count
    assert stack.seq("F-broker") == stack.run_seq("F-broker")
    wait_until(lambda: stack.unacked() == 0 and stack.queue_len() == 0, 30, "broker drained")
