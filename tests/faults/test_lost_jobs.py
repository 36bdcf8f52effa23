"""No job lost to a Redis outage (issue 11, finding 9).

The sweep (workers/recovery.py) re-publishes `running` jobs whose lease ended with no message left
in the broker; the outage test repeats Redis kill+AOF-restart and pause while two workers match
many profiles, running the sweep the way beat would, and asserts every job ends done with one
match set. Broker keys and job records are read straight from the test's own redis-server.
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.faults.conftest import SHORT_VT_ENV, FaultStack, StackFactory, wait_until
from workers.recovery import requeue_lost_jobs

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUEUE = "trialmatch"


def _sweep(stack: FaultStack, now: datetime | None = None) -> list[str]:
    return requeue_lost_jobs(stack.store, stack.publish, queue=QUEUE, grace_s=5, now=now)


@pytest.mark.timeout(60)
def test_sweep_recovers_a_running_job_whose_lease_ended_and_whose_message_is_gone(
    make_stack: StackFactory,
) -> None:
    """A `running` job past its lease with no message anywhere is re-published, once; a job
    still in its lease, or whose message a worker holds unacked, is left alone."""
    stack = make_stack()
    lost, held, young = (stack.submit(f"L-{name}") for name in ("lost", "held", "young"))
    stack.store.r.delete(stack.broker_key(QUEUE))  # the messages vanish, as in the outage
    stack.store.set_job(lost.job_id, "running", lease_s=1)
    stack.store.set_job(held.job_id, "running", lease_s=1)
    stack.store.set_job(young.job_id, "running", lease_s=3600)
    # A worker holds `held` unacked (kombu's unacked hash: [message, exchange, routing key]).
    message = {"headers": {"id": held.job_id}, "body": ""}
    stack.store.r.hset(stack.broker_key("unacked"), "tag-1", json.dumps([message, "", QUEUE]))
    later = datetime.now(UTC) + timedelta(seconds=30)
    assert _sweep(stack, later) == [lost.job_id]
    assert stack.queue_len() == 1  # re-published
    assert _sweep(stack, later) == []  # in the queue now: not twice

    stack.start_worker()
    job = stack.wait_job(lost.job_id, timeout=30)
    assert job["status"] == "done", job
    assert stack.status(young.job_id) == "running"


def _progress(stack: FaultStack, job_ids: list[str]) -> int:
    """How many jobs are done (0 while Redis is unreachable)."""
    try:
        pipe = stack.store.r.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hget(stack.store.keys.job(job_id), "status")
        return sum(1 for status in pipe.execute() if status == "done")
    except Exception:  # mid-outage: unknown, keep waiting
        return 0


class Supervisor:
    """Restarts a worker process that exited, as compose's `restart: unless-stopped` does.

    A worker may exit on a broker loss (kombu can fail inside its own reconnect); what it must
    never do is stay up and stop consuming. Exits are counted so the test can report them.
    """

    def __init__(self, stack: FaultStack) -> None:
        self.stack = stack
        self.exits: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(1.0):
            for worker in list(self.stack.workers):
                code = worker.proc.poll()
                if code is not None and not getattr(worker, "replaced", False):
                    worker.replaced = True  # type: ignore[attr-defined]  # test bookkeeping
                    self.exits.append(code)
                    self.stack.start_worker(concurrency=2)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)


def _explain(stack: FaultStack, stuck: dict[str, str]) -> str:
    """Where each stranded job's message is, for the failure message."""
    in_unacked = " ".join(stack.store.r.hvals(stack.broker_key("unacked")))
    lines = [f"queue={stack.queue_len()} unacked={stack.unacked()}"]
    for job_id, status in stuck.items():
        lines.append(f"{job_id} {status} in_unacked={job_id in in_unacked}")
    return "\n".join(lines) + "\n" + stack.logs()[-3000:]


@pytest.mark.timeout(200)
def test_no_job_lost_to_repeated_redis_outages(make_stack: StackFactory, clean_count: int) -> None:
    """Redis killed and restarted from its AOF, and paused, at several points while two workers
    match 200 profiles: every job ends done with exactly one match set, none stranded."""
    started = time.monotonic()
    stack = make_stack(
        aof=True,
        latency_s=0.05,
        **{
            **SHORT_VT_ENV,  # unacked messages come back within seconds
            "TRIALMATCH_CTGOV_REQUEST_DEADLINE_S": "6",
            "TRIALMATCH_JOB_LEASE_MARGIN_S": "2",  # lease = 10 s hard limit + 2 s
            "TRIALMATCH_MAX_DELIVERIES": "5",  # the production default
            "TRIALMATCH_REDIS_SOCKET_TIMEOUT_S": "2",
            # A crash during kombu's restore sweep leaves its lock behind (default 300 s).
            "TRIALMATCH_BROKER_UNACKED_MUTEX_EXPIRE_S": "5",
        },
    )
    n = 200
    subs = [stack.submit(f"O-{i:03d}") for i in range(n)]
    job_ids = [s.job_id for s in subs]
    time.sleep(1.2)  # appendfsync everysec: the submissions are on disk before the first kill
    stack.start_worker(concurrency=2)
    stack.start_worker(concurrency=2)
    supervisor = Supervisor(stack)

    # (fraction of jobs done when the fault is injected, fault, pause length): the long pause
    # outlasts the 8 s soft time limit and the tasks' patience for Redis.
    plan = [(0.15, "kill", 0.0), (0.4, "pause", 4.0), (0.65, "kill", 0.0), (0.85, "pause", 10.0)]
    try:
        for fraction, fault, pause_s in plan:
            wait_until(lambda f=fraction: _progress(stack, job_ids) >= f * n, 90, f"{fraction:.0%}")
            if fault == "kill":
                stack.server.restart()  # SIGKILL, then the same port, dir and AOF
            else:
                stack.server.signal(signal.SIGSTOP)
                threading.Timer(pause_s, stack.server.signal, args=(signal.SIGCONT,)).start()
                time.sleep(pause_s + 0.2)

        # Beat runs the sweep every 5 minutes; here every 2 s until all are done (or 90 s).
        deadline = time.monotonic() + 90
        while _progress(stack, job_ids) < n and time.monotonic() < deadline:
            with contextlib.suppress(Exception):  # Redis may still be coming back
                _sweep(stack)
            time.sleep(2)
    finally:
        supervisor.stop()
    statuses = {j: stack.store.r.hget(stack.store.keys.job(j), "status") for j in job_ids}
    stuck = {j: str(s) for j, s in statuses.items() if s != "done"}
    assert not stuck, _explain(stack, stuck)
    for i, sub in enumerate(subs):
        assert stack.hlen(f"O-{i:03d}") == clean_count, sub.profile_id
        assert stack.store.read_matches(sub.profile_id) is not None
    wait_until(lambda: stack.queue_len() == 0 and stack.unacked() == 0, 30, "broker drained")
    # The workers still consume after the outages: a fresh submission is matched.
    after = stack.submit("O-after")
    assert stack.wait_job(after.job_id, timeout=30)["status"] == "done"
    print(
        f"outage test: {len(plan)} outages, worker exits restarted: {supervisor.exits}, "
        f"wall time {time.monotonic() - started:.1f}s"
    )
