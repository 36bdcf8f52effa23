"""PHI canary (research checklist item 17): a name-like string planted in every free-text field.

Submitted through the real stack (private redis-server, real Celery worker subprocess at DEBUG),
once with the bundled snapshot and once with the live-API code path against the local CT.gov
stub. The canary may live in the stored data of that profile only; never in logs, broker
messages, task arguments or Celery events. A Redis MONITOR capture sees every command, and the
canary showing up in the profile write proves the capture would have seen it elsewhere.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from matcher.adapters.ctgov.query import SearchQuery
from matcher.adapters.store import Store
from matcher.domain.models.profile import parse_profile
from matcher.errors import InvalidProfile
from matcher.services.erase import erase_profile
from matcher.services.submission import submit_json
from matcher.services.trial_sync import register_profile_query
from matcher.settings import Settings
from tests.security.conftest import (
    CANARY,
    Command,
    Monitor,
    canary_body,
    dump_keys,
    has_canary,
    kombu_body,
)
from tests.support.ctgov_stub import CtgovStub
from tests.support.jobs import wait_job
from tests.support.procs import SNAPSHOT, RedisServer, Worker, stack_env, wait_for
from tests.support.profiles import example_body
from workers.celery_app import create_app

# Board references -> diagnosis. Unknown diagnosis (the text itself becomes a search phrase) and
# a known one with the canary appended (the vocabulary resolves it, or falls back to the text).
# The references are canaries too: the board's own reference may be stored only inside the
# profile, never in a key name, a log line or a task message.
PROFILES = {
    "SEC-canary-unknown": CANARY,
    "SEC-canary-known": f"synovial sarcoma {CANARY}",
}


@dataclass
class CanaryRun:
    mode: str
    store: Store
    jobs: dict[str, str]  # server-assigned profile_id -> job_id
    pids: dict[str, str]  # board reference -> server-assigned profile_id
    commands: list[Command]
    worker_log: str
    client_log: str
    keys_after: dict[str, str]
    upstream: list[dict[str, str]]  # query parameters the CT.gov stub received (live mode)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.levelname} {record.getMessage()}")


@pytest.fixture(scope="module", params=["snapshot", "live-stub"])
def canary_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CanaryRun]:
    mode = request.param
    tmp = tmp_path_factory.mktemp(f"canary-{mode}")
    server = RedisServer(tmp / "redis")
    stub = CtgovStub(SNAPSHOT / "records") if mode == "live-stub" else None
    monitor = Monitor(server.port)
    overrides = {"TRIALMATCH_ANY_STATUS": "true", "TRIALMATCH_LOG_LEVEL": "DEBUG"}
    settings_kw: dict[str, object] = {"any_status": True}
    if stub is not None:
        overrides |= {"TRIALMATCH_CTGOV_BASE_URL": stub.url, "TRIALMATCH_CTGOV_MIN_INTERVAL_S": "0"}
        settings_kw |= {"ctgov_base_url": stub.url, "ctgov_min_interval_s": 0}
    else:
        settings_kw["ctgov_snapshot"] = SNAPSHOT
    env = stack_env(server.url, **overrides)
    if stub is not None:
        del env["TRIALMATCH_CTGOV_SNAPSHOT"]
    worker = Worker(env, tmp / "worker.log", concurrency=1, extra_args=["--loglevel=DEBUG"])
    collect = _Collect()
    root = logging.getLogger()
    old_level = root.level
    try:
        settings = Settings(redis_url=server.url, **settings_kw)  # type: ignore[arg-type]
        store = Store.from_settings(settings)
        app = create_app(settings)

        def publish(profile_id: str, job_id: str) -> object:
            return app.send_task(
                "trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id
            )

        root.addHandler(collect)
        root.setLevel(logging.DEBUG)
        jobs, pids = {}, {}
        for ref, diagnosis in PROFILES.items():
            raw = json.dumps(canary_body(ref, diagnosis))
            sub = submit_json(store, raw, publish=publish, retention_days=30)
            jobs[sub.profile_id], pids[ref] = sub.job_id, sub.profile_id
        for pid, job_id in jobs.items():
            job = wait_job(store, job_id)
            assert job["status"] == "done", (pid, job, worker.log()[-3000:])
        # A task marks its job done just before it returns and is acknowledged: stopping the
        # worker in between kills the child mid-ack, and the message is redelivered (a third
        # LPUSH). Stop only once the broker holds no message, queued or unacknowledged.
        broker = server.client()
        wait_for(lambda: broker.llen(QUEUE_KEY) == 0 and broker.hlen(UNACKED_KEY) == 0, 15)
        worker.stop()  # flushes the log and publishes the worker-offline event
        monitor.stop(server.client())
        yield CanaryRun(
            mode=mode,
            store=store,
            jobs=jobs,
            pids=pids,
            commands=monitor.commands(),
            worker_log=worker.log(),
            client_log="\n".join(collect.lines),
            keys_after=dump_keys(server.client()),
            upstream=[dict(params) for _, params in stub.requests] if stub else [],
        )
    finally:
        root.removeHandler(collect)
        root.setLevel(old_level)
        worker.stop()
        server.stop()
        if stub is not None:
            stub.close()


QUEUE_KEY, UNACKED_KEY = "tm:q:trialmatch", "tm:q:unacked"  # kombu's keys under the prefix


def _broker_commands(run: CanaryRun) -> list[Command]:
    return [c for c in run.commands if c.target.startswith("tm:q:")]


@pytest.mark.integration
def test_canary_never_in_worker_log(canary_run: CanaryRun) -> None:
    """The worker's whole log, at DEBUG, never contains the canary."""
    log = canary_run.worker_log
    assert re.search(r"\bDEBUG\b", log), "the worker did not log at DEBUG: the check is too weak"
    for job_id in canary_run.jobs.values():
        assert job_id in log  # the log does describe these tasks
    leaked = [line for line in log.splitlines() if has_canary(line)]
    assert not leaked, f"[{canary_run.mode}] canary in worker log:\n" + "\n".join(leaked[:10])


@pytest.mark.integration
def test_canary_never_in_submitting_process_log(canary_run: CanaryRun) -> None:
    """Everything the submitting process logged (root logger at DEBUG) is free of the canary."""
    assert "submitted profile_id=" in canary_run.client_log
    assert not has_canary(canary_run.client_log), canary_run.client_log


@pytest.mark.integration
def test_task_messages_carry_ids_only(canary_run: CanaryRun) -> None:
    """Each queued task message's args are exactly (profile_id, job_id), kwargs empty, no canary."""
    pushed = [c for c in canary_run.commands if c.name == "LPUSH" and c.target == "tm:q:trialmatch"]
    assert len(pushed) == len(canary_run.jobs), [c.target for c in pushed]
    for cmd in pushed:
        envelope = json.loads(cmd.args[1])
        body = json.loads(kombu_body(cmd.args[1]) or "null")
        args, kwargs, _embed = body
        assert len(args) == 2
        assert tuple(args) in canary_run.jobs.items()
        assert kwargs == {}
        headers = envelope["headers"]
        assert headers["argsrepr"] in {repr(tuple(args)), repr(args)}
        assert headers["kwargsrepr"] == "{}"
        assert not has_canary(cmd.args[1])
        assert not has_canary(json.dumps(body))


@pytest.mark.integration
def test_canary_never_in_broker_traffic_or_celery_events(canary_run: CanaryRun) -> None:
    """No command on a broker key or channel (queues, unacked, bindings, events) has the canary."""
    broker = _broker_commands(canary_run)
    events = [c for c in broker if c.name == "PUBLISH" and "celeryev" in c.target]
    assert events, "no Celery event captured: the check would be vacuous"
    decoded = " ".join(kombu_body(c.args[1]) or "" for c in events)
    for job_id in canary_run.jobs.values():
        assert job_id in decoded, f"no event about task {job_id}"
    assert "task-received" in decoded
    assert "task-succeeded" in decoded
    leaked = [(c.name, c.target) for c in broker if any(has_canary(t) for t in c.texts())]
    assert not leaked, f"[{canary_run.mode}] canary in broker traffic: {leaked}"


@pytest.mark.integration
def test_capture_saw_the_canary_in_the_profile_write(canary_run: CanaryRun) -> None:
    """Control: MONITOR shows the canary in each profile's SET, so absence elsewhere means it."""
    written = {c.target for c in canary_run.commands if c.name == "SET" and has_canary(c.args[1])}
    assert {f"tm:profile:{pid}" for pid in canary_run.pids.values()} <= written


@pytest.mark.integration
def test_board_references_never_leave_the_profile(canary_run: CanaryRun) -> None:
    """The board's references appear in no key name, no log line of either process and no
    broker traffic; only the profile's own stored value holds each."""
    logs = canary_run.worker_log + canary_run.client_log
    broker = " ".join(" ".join(c.texts()) for c in _broker_commands(canary_run))
    names = " ".join(canary_run.keys_after)
    for ref, pid in canary_run.pids.items():
        assert pid in logs  # the logs do name the profile, by its opaque id
        assert ref not in logs
        assert ref not in broker
        assert ref not in names
        holding = [key for key, value in canary_run.keys_after.items() if ref in value]
        assert holding == [canary_run.store.keys.profile(pid)], holding


@pytest.mark.integration
def test_canary_stored_only_where_the_profile_erasure_removes_it(canary_run: CanaryRun) -> None:
    """Stored copies of the canary sit only in the profile's data and the search registry, and
    erasing the profiles leaves none anywhere."""
    k = canary_run.store.keys
    holding = sorted(key for key, value in canary_run.keys_after.items() if has_canary(value))
    # The match set echoes the board's own text in reasons ("... is covered by solid tumor"): it
    # is that profile's data, expires with it and is erased with it. The search registry holds
    # the search phrases derived from the diagnosis while a profile uses that search.
    pids = list(canary_run.pids.values())
    expected = {k.queries()}
    for pid in pids:
        expected |= {k.profile(pid), k.matches(pid), k.match_meta(pid), k.changes(pid)}
    assert {k.profile(pid) for pid in pids} <= set(holding)
    assert set(holding) <= expected, f"unexpected copies in {sorted(set(holding) - expected)}"
    for pid in pids:
        erase_profile(canary_run.store, pid)
    left = sorted(key for key, value in dump_keys(canary_run.store.r).items() if has_canary(value))
    assert not left, (
        f"[{canary_run.mode}] keys holding the canary: {holding}; still there after erase: {left}"
    )


@pytest.mark.integration
def test_live_search_never_sends_the_diagnosis(canary_run: CanaryRun) -> None:
    """On the live path nothing a board typed reaches CT.gov: the one corpus query is built
    from the term data file alone (the diagnosis used to travel as a `query.cond` phrase)."""
    if canary_run.mode != "live-stub":
        pytest.skip("the snapshot path makes no HTTP request")
    searches = [p for p in canary_run.upstream if "query.term" in p]
    assert searches, canary_run.upstream
    for params in canary_run.upstream:
        assert not any(has_canary(v) for v in params.values()), params
        assert "query.cond" not in params


@pytest.mark.integration
def test_changed_diagnosis_leaves_no_copy_of_the_old_text(canary_run: CanaryRun) -> None:
    """When a profile's search changes, the old diagnosis-derived phrases leave the registry."""
    if canary_run.mode != "snapshot":
        pytest.skip("store-level check; once is enough")
    store = canary_run.store
    # A search is only registered for a stored profile (an erased one gets nothing written):
    # a placeholder profile key stands in for one here.
    store.r.set(store.keys.profile("SEC-requery"), "{}", ex=600)
    first = SearchQuery((f"{CANARY} requery", "sarcoma"))
    register_profile_query(store, "SEC-requery", first, None)
    assert has_canary(store.r.hget(store.keys.queries(), first.cache_key()) or "")
    register_profile_query(store, "SEC-requery", SearchQuery(("synovial sarcoma",)), None)
    assert store.r.hget(store.keys.queries(), first.cache_key()) is None


def test_canary_as_reference_is_refused_without_echo() -> None:
    """A name as the reference (it has a space) is refused naming the field given (`reference`
    or its legacy name `profile_id`), without echoing it."""
    with pytest.raises(InvalidProfile) as caught:
        parse_profile(json.dumps(example_body(CANARY)))
    assert [field for field, _ in caught.value.errors] == ["reference"]
    assert not has_canary(str(caught.value))
    legacy = example_body("x")
    legacy.pop("reference")
    with pytest.raises(InvalidProfile) as caught:
        parse_profile(json.dumps({**legacy, "profile_id": CANARY}))
    assert [field for field, _ in caught.value.errors] == ["profile_id"]
    assert not has_canary(str(caught.value))


def test_validation_errors_never_echo_submitted_values() -> None:
    """Every field error names the field and the rule, never the rejected value itself."""
    body = canary_body("SEC-echo")
    body.update(diagnosis=CANARY * 10, sex=CANARY, assessed_on=CANARY, biomarkers=[CANARY * 10])
    with pytest.raises(InvalidProfile) as caught:
        parse_profile(json.dumps(body))
    fields = {field for field, _ in caught.value.errors}
    assert {"diagnosis", "sex", "assessed_on", "biomarkers.0"} <= fields
    assert not has_canary(str(caught.value))
