"""Redis crashing, restarting and pausing under real workers (checklist items 6-9).

SIGKILL of redis-server is a crash; SIGSTOP is a black-hole partition (connections stay open, no
answer ever comes), the fault that turns a missing socket timeout into a hang.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from matcher.adapters.store import Store
from matcher.errors import BrokerUnavailable, StoreError
from matcher.services.submission import submit_json
from tests.faults.conftest import FaultStack, StackFactory
from tests.support.procs import REPO
from tests.support.profiles import example_json
from workers.celery_app import create_app
from workers.recovery import requeue_lost_jobs

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _conf(path: Path) -> dict[str, str]:
    settings: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            settings[key.lower()] = value.strip().strip('"')
    return settings


@pytest.mark.timeout(30)
def test_shipped_redis_conf_persists_queued_tasks_and_never_evicts(
    make_stack: StackFactory,
) -> None:
    """config/redis.conf turns on AOF and noeviction, and a server started with it has both."""
    conf = _conf(REPO / "config" / "redis.conf")
    assert conf["appendonly"] == "yes"
    assert conf["appendfsync"] in {"everysec", "always"}
    assert conf["maxmemory-policy"] == "noeviction"
    stack = make_stack(aof=True)
    live = stack.server.client()
    assert live.config_get("appendonly")["appendonly"] == "yes"
    assert live.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    live.close()


@pytest.mark.timeout(90)
def test_redis_kill9_with_queued_profiles_loses_none_after_aof_restart(
    make_stack: StackFactory, clean_count: int
) -> None:
    """Profiles queued when Redis is SIGKILLed are all matched after it restarts with the AOF."""
    stack = make_stack(aof=True)
    names = [f"F-aof-{n}" for n in range(4)]
    subs = [stack.submit(name) for name in names]
    assert stack.queue_len() == len(subs)
    time.sleep(1.5)  # appendfsync everysec: the shipped config may lose the last second only
    stack.server.restart()  # SIGKILL, then the same port, dir and config (AOF replayed)
    assert stack.queue_len() == len(subs)

    stack.start_worker(concurrency=2)
    for name, sub in zip(names, subs, strict=True):
        job = stack.wait_job(sub.job_id, timeout=60)
        assert job["status"] == "done", job
        assert stack.hlen(name) == clean_count
    assert stack.queue_len() == 0


@pytest.mark.timeout(90)
def test_idle_worker_reconnects_after_redis_restart(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A worker idling through a Redis restart processes the next submission within 30 s."""
    stack = make_stack(aof=True)
    stack.start_worker(concurrency=1)
    first = stack.submit("F-idle-1")
    assert stack.wait_job(first.job_id, timeout=30)["status"] == "done"
    stack.server.restart()
    time.sleep(1)  # the worker is idle while its connection is gone
    started = time.monotonic()
    second = stack.submit("F-idle-2")
    job = stack.wait_job(second.job_id, timeout=30)
    assert job["status"] == "done", job
    assert time.monotonic() - started < 30
    assert stack.hlen("F-idle-2") == clean_count


def _half_written(stack: FaultStack, profile_id: str) -> list[str]:
    """Profiles without a job or jobs without a profile, among this profile's keys."""
    r, k = stack.store.r, stack.store.keys
    problems = []
    has_profile = bool(r.exists(k.profile(profile_id)))
    job_ids = {key.rsplit(":", 1)[1] for key in r.scan_iter(k.job("*"))}
    jobs = [j for j in job_ids if r.hget(k.job(j), "profile_id") == profile_id]
    listed = stack.store.members_str(k.profile_jobs(profile_id))
    if has_profile and not jobs:
        problems.append("profile without a job")
    if jobs and not has_profile:
        problems.append(f"jobs {jobs} without a profile")
    if listed - set(jobs):
        problems.append(f"job index lists missing jobs {listed - set(jobs)}")
    if bool(r.zscore(k.profiles_index(), profile_id)) != has_profile:
        problems.append("profiles index disagrees with the profile key")
    return problems


def _profile_ids(stack: FaultStack) -> set[str]:
    """Every profile id the keyspace mentions: profile keys, job records, the profiles index."""
    r, k = stack.store.r, stack.store.keys
    found = {key.removeprefix(k.profile("")) for key in r.scan_iter(k.profile("p_*"))}
    found = {pid for pid in found if ":" not in pid}  # not the profile's sub-keys
    found |= {r.hget(key, "profile_id") for key in r.scan_iter(k.job("*"))} - {None}
    found |= {str(m) for m in r.zrange(k.profiles_index(), 0, -1)}
    return found


def _half_written_any(stack: FaultStack) -> list[str]:
    """`_half_written` over every profile the keyspace mentions (ids are server-assigned, so a
    failed submission's id is not known to the test)."""
    return [f"{pid}: {p}" for pid in sorted(_profile_ids(stack)) for p in _half_written(stack, pid)]


@pytest.mark.timeout(60)
def test_submit_to_paused_redis_fails_fast_and_writes_nothing(make_stack: StackFactory) -> None:
    """Submitting while Redis is paused raises StoreError within 15 s; nothing is half-written."""
    stack = make_stack()
    settings = stack.settings.model_copy(update={"redis_socket_timeout_s": 2.0})
    store = Store.from_settings(settings)
    app = create_app(settings)
    store.r.ping()  # an open, healthy connection that the pause turns into a black hole

    def publish(pid: str, jid: str) -> object:
        return app.send_task("trialmatch.match_profile", args=[pid, jid], task_id=jid)

    stack.server.signal(signal.SIGSTOP)
    started = time.monotonic()
    try:
        with pytest.raises(StoreError) as caught:
            submit_json(
                store,
                example_json("F-pause", dated_today=False),
                publish=publish,
                retention_days=30,
            )
        elapsed = time.monotonic() - started
    finally:
        stack.server.signal(signal.SIGCONT)
    assert elapsed < 15, f"took {elapsed:.1f}s"
    assert "Redis unavailable" in str(caught.value)
    time.sleep(1)  # anything buffered in the paused server's sockets has now run
    assert _profile_ids(stack) == set()  # nothing of the refused submission was written
    assert _half_written_any(stack) == []
    assert stack.queue_len() == 0
    app.close()
    store.r.close()


@pytest.mark.timeout(60)
def test_redis_paused_between_store_and_publish_leaves_no_half_submission(
    make_stack: StackFactory,
) -> None:
    """A pause after the profile is stored raises BrokerUnavailable in 15 s, no half submission."""
    stack = make_stack()
    settings = stack.settings.model_copy(update={"redis_socket_timeout_s": 2.0})
    store = Store.from_settings(settings)
    app = create_app(settings)

    def publish(pid: str, jid: str) -> object:
        stack.server.signal(signal.SIGSTOP)  # the store write went through; the publish won't
        return app.send_task("trialmatch.match_profile", args=[pid, jid], task_id=jid)

    started = time.monotonic()
    try:
        with pytest.raises(BrokerUnavailable):
            submit_json(
                store,
                example_json("F-pause2", dated_today=False),
                publish=publish,
                retention_days=30,
            )
        elapsed = time.monotonic() - started
    finally:
        stack.server.signal(signal.SIGCONT)
    assert elapsed < 15, f"took {elapsed:.1f}s"
    time.sleep(1.5)  # let the resumed server run whatever its sockets still held
    assert _half_written_any(stack) == []
    # A message that reached the queue after all must not point at a rolled-back job.
    queued = stack.queue_len()
    if queued:
        jobs = list(stack.store.r.scan_iter(stack.store.keys.job("*")))
        assert jobs, f"{queued} task message(s) queued for a submission that was rolled back"
    app.close()
    store.r.close()


@pytest.mark.timeout(90)
def test_redis_paused_during_match_write_readers_never_see_a_partial_set(
    make_stack: StackFactory, clean_count: int
) -> None:
    """Redis paused for 5 s as a re-run writes: the task completes, readers see whole sets only."""
    stack = make_stack(latency_s=1, TRIALMATCH_REDIS_SOCKET_TIMEOUT_S="2")
    stack.start_worker(concurrency=1)
    first = stack.submit("F-write")
    assert stack.wait_job(first.job_id, timeout=30)["status"] == "done"
    assert stack.hlen("F-write") == clean_count
    before = stack.seq("F-write")

    # New registry data: the re-run searches again; Redis pauses while that search is answered,
    # i.e. exactly when the worker goes on to cache the trials and write the match set.
    stack.stub.data_version = "v2"
    stack.store.r.delete(stack.store.keys.data_version())
    paused = threading.Event()

    def pause_on_search(path: str, params: dict[str, str]) -> None:
        if path == "/api/v2/studies" and not paused.is_set():
            paused.set()
            threading.Timer(0.8, stack.server.signal, args=(signal.SIGSTOP,)).start()
            threading.Timer(5.8, stack.server.signal, args=(signal.SIGCONT,)).start()

    stack.stub.on_request = pause_on_search
    seen: list[int] = []
    errors: list[str] = []
    stop = threading.Event()
    reader_settings = stack.settings.model_copy(update={"redis_socket_timeout_s": 0.5})
    reader = Store.from_settings(reader_settings)

    def poll() -> None:
        while not stop.is_set():
            try:
                run = reader.read_matches(stack.pid("F-write"))
                seen.append(-1 if run is None else len(run.results))
            except StoreError as exc:
                errors.append(type(exc).__name__)
            time.sleep(0.02)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        second = stack.submit("F-write")
        job = stack.wait_job(second.job_id, timeout=60)
    finally:
        stop.set()
        thread.join(5)
        stack.server.signal(signal.SIGCONT)
        reader.r.close()
    assert paused.is_set(), "the pause never happened"
    assert errors, "the reader never noticed the pause"
    assert job["status"] == "done", (job, stack.logs())
    assert seen, "the reader never read"
    assert set(seen) == {clean_count}, sorted(set(seen))
    assert stack.hlen("F-write") == clean_count
    assert stack.seq("F-write") > before
    assert stack.seq("F-write") == stack.run_seq("F-write")


@pytest.mark.timeout(90)
def test_redis_crash_during_publish_leaves_no_job_queued_for_ever(make_stack: StackFactory) -> None:
    """A job whose publish died with Redis is found by the lost-job sweep and then runs."""
    stack = make_stack(aof=True)
    settings = stack.settings.model_copy(update={"redis_socket_timeout_s": 2.0})
    store = Store.from_settings(settings)
    app = create_app(settings)

    def publish(pid: str, jid: str) -> object:
        time.sleep(1.5)  # appendfsync everysec: let the store write reach the AOF first
        stack.server.signal(signal.SIGSTOP)  # the store write went through; the publish won't
        return app.send_task("trialmatch.match_profile", args=[pid, jid], task_id=jid)

    try:
        with pytest.raises(BrokerUnavailable):
            submit_json(
                store,
                example_json("F-crash", dated_today=False),
                publish=publish,
                retention_days=30,
            )
    finally:
        stack.server.restart()  # SIGKILL the paused server: the rollback never ran
    assert _half_written_any(stack) == []
    [pid] = _profile_ids(stack)
    jobs = stack.store.members_str(stack.store.keys.profile_jobs(pid))
    stuck = [j for j in jobs if stack.status(j) == "queued"]
    assert stuck, "the AOF should have kept the queued job (the scenario under test)"
    # The lost-job sweep (beat, every 5 min) finds them once the grace period has passed.
    later = datetime.now(UTC) + timedelta(minutes=2)
    found = requeue_lost_jobs(stack.store, stack.publish, queue="trialmatch", grace_s=60, now=later)
    assert sorted(found) == sorted(stuck)
    assert (
        requeue_lost_jobs(stack.store, stack.publish, queue="trialmatch", grace_s=60, now=later)
        == []
    )
    stack.start_worker()
    for job_id in stuck:  # a real worker now runs the re-published task to the end
        stack.wait_job(job_id, timeout=60)
        assert stack.status(job_id) == "done"
    app.close()
    store.r.close()
