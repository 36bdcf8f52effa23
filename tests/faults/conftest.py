"""Fault-test stacks: a fresh redis-server, a scriptable CT.gov stub and real worker subprocesses.

Every test gets its own stack (cold search cache, its own broker keys) and may start, SIGKILL or
SIGTERM any number of workers on it. Teardown SIGKILLs what is left (a warm shutdown of a worker
stuck on a slow stub would only cost time) and never touches a process the test did not start.
"""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from celery import Celery

from matcher.adapters.store import Store
from matcher.services.submission import Submission, submit_json
from matcher.settings import Settings
from tests.support.ctgov_stub import CtgovStub
from tests.support.jobs import wait_job
from tests.support.procs import SNAPSHOT, RedisServer, Worker, stack_env, wait_for
from tests.support.profiles import example_json
from workers.celery_app import create_app

# Three recruiting trials a synovial-sarcoma search finds (copies of real records, see _record).
REGISTRY = ("NCT04851119", "NCT05642455", "NCT05910307")
QUEUE = "trialmatch"

# Small budgets so that every retry path ends within seconds (the settings validator still
# applies: visibility timeout > time limit + backoff max).
BASE_ENV = {
    "TRIALMATCH_CTGOV_MIN_INTERVAL_S": "0",
    "TRIALMATCH_CTGOV_MAX_ATTEMPTS": "2",
    "TRIALMATCH_CTGOV_RETRY_TOTAL_S": "3",
    "TRIALMATCH_CTGOV_READ_TIMEOUT_S": "15",
    # Below every soft time limit used here (the settings validator refuses otherwise).
    "TRIALMATCH_CTGOV_REQUEST_DEADLINE_S": "7",
    "TRIALMATCH_TASK_MAX_RETRIES": "1",
    "TRIALMATCH_TASK_RETRY_BACKOFF_MAX_S": "2",
    "TRIALMATCH_TASK_TIME_LIMIT_S": "25",
    "TRIALMATCH_TASK_SOFT_TIME_LIMIT_S": "20",
    "TRIALMATCH_BROKER_VISIBILITY_TIMEOUT_S": "60",
    "TRIALMATCH_BROKER_UNACKED_RESTORE_INTERVAL_S": "1",
    "TRIALMATCH_BROKER_UNACKED_RESTORE_THROTTLE": "1",
    "TRIALMATCH_MAX_DELIVERIES": "3",
    "TRIALMATCH_REDIS_SOCKET_TIMEOUT_S": "5",
}
# For tests that need redelivery of a whole worker's unacked task within seconds.
SHORT_VT_ENV = {
    "TRIALMATCH_BROKER_VISIBILITY_TIMEOUT_S": "12",
    "TRIALMATCH_TASK_TIME_LIMIT_S": "10",
    "TRIALMATCH_TASK_SOFT_TIME_LIMIT_S": "8",
    "TRIALMATCH_TASK_RETRY_BACKOFF_MAX_S": "1",
}


def record(nct_id: str, **edits: Any) -> dict[str, Any]:
    """A snapshot record with a lastUpdatePostDate (constructed; the snapshot lacks one)."""
    study: dict[str, Any] = json.loads((SNAPSHOT / "records" / f"{nct_id}.json").read_text())
    study.pop("_provenance", None)
    status = study["protocolSection"].setdefault("statusModule", {})
    status["lastUpdatePostDateStruct"] = {"date": edits.pop("updated", "2026-01-05")}
    if "status" in edits:
        status["overallStatus"] = edits.pop("status")
    assert not edits, edits
    return study


# --- a CT.gov stub with scripted, path-specific faults -------------------------------------


@dataclass
class Fault:
    """One scripted answer for requests to `path` (below /api/v2), served `times` times.

    status 0 resets the TCP connection (RST) without answering; `delay_s` is added to the stub's
    latency; `page_token` restricts the fault to the request carrying that pageToken.
    """

    path: str
    status: int = 503
    body: str = "Service Unavailable"
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1  # None: for ever
    page_token: str | None = None
    ctype: str = "text/plain"
    delay_s: float = 0.0

    def matches(self, path: str, params: dict[str, str]) -> bool:
        if path != "/api/v2" + self.path:
            return False
        return self.page_token is None or params.get("pageToken") == self.page_token


class FaultStub(CtgovStub):
    """CtgovStub plus scripted faults per path, connection resets, request times and a hook."""

    def __init__(self, folder: Path, **kw: Any) -> None:
        super().__init__(folder, **kw)
        self.scripted: list[Fault] = []
        self.times: list[tuple[float, str, dict[str, str]]] = []
        # Called (in the server thread) when a request arrives, before any latency.
        self.on_request: Callable[[str, dict[str, str]], None] | None = None
        self.server.handle_error = lambda *a: None  # type: ignore[method-assign]  # resets are on purpose

    def count_path(self, path: str, page_token: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for p, params in self.requests
                if p == "/api/v2" + path
                and (page_token is None or params.get("pageToken") == page_token)
            )

    def _handle(self, h: Any) -> None:
        url = urlsplit(h.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self._lock:
            self.times.append((time.monotonic(), url.path, params))
            fault = next((f for f in self.scripted if f.matches(url.path, params)), None)
            if fault is not None:
                self.requests.append((url.path, params))
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.scripted.remove(fault)
        if self.on_request is not None:
            self.on_request(url.path, params)
        if fault is None:
            return super()._handle(h)  # counts the request, applies latency and `faults`
        time.sleep(self.latency_s + fault.delay_s)
        if fault.status == 0:
            h.close_connection = True
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            return None
        return self._send(h, fault.status, fault.body.encode(), fault.ctype, fault.headers)


# --- one stack per test -------------------------------------------------------------------


def _settings_from_env(env: dict[str, str], **overrides: Any) -> Settings:
    kw: dict[str, Any] = {
        k.removeprefix("TRIALMATCH_").lower(): v
        for k, v in env.items()
        if k.startswith("TRIALMATCH_")
    }
    kw.update(overrides)
    return Settings(**kw)


@dataclass
class FaultStack:
    tmp: Path
    server: RedisServer
    stub: FaultStub
    registry: Path
    env: dict[str, str]
    settings: Settings
    store: Store
    app: Celery
    workers: list[Worker] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # name submitted as -> server-assigned id

    # --- processes
    def start_worker(
        self, *, concurrency: int = 1, extra_args: list[str] | None = None, **env: str
    ) -> Worker:
        n = len(self.workers)
        worker = Worker(
            {**self.env, **env},
            self.tmp / f"worker{n}.log",
            concurrency=concurrency,
            extra_args=extra_args,
        )
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(w.log()[-3000:] for w in self.workers)

    # --- submitting and waiting
    def publish(self, profile_id: str, job_id: str) -> object:
        return self.app.send_task(
            "trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id
        )

    def submit(self, name: str, **changes: Any) -> Submission:
        """Submit the profile the test calls `name` (its reference): created the first time,
        replaced by its server-assigned id afterwards (`pid(name)`)."""
        sub = submit_json(
            self.store, example_json(name, dated_today=False, **changes), publish=self.publish,
            retention_days=30,
            replace_id=self.ids.get(name),
        )  # fmt: skip
        self.ids[name] = sub.profile_id
        return sub

    def pid(self, name: str) -> str:
        """The server-assigned id of the profile submitted as `name`."""
        return self.ids[name]

    def status(self, job_id: str) -> str:
        return self.store.get_job(job_id)["status"]

    def wait_job(
        self, job_id: str, timeout: float = 60, until: tuple[str, ...] = ("done", "failed")
    ) -> dict[str, str]:
        job = wait_job(self.store, job_id, timeout, until)
        if job["status"] in until:
            return job
        raise TimeoutError(
            f"job {job_id} still {job.get('status')} after {timeout}s:\n{self.logs()}"
        )

    # --- what is stored
    # These take the name a test submitted a profile under (see `submit`).
    def hlen(self, name: str) -> int:
        return int(self.store.r.hlen(self.store.keys.matches(self.pid(name))))

    def nct_ids(self, name: str) -> list[str]:
        return sorted(str(k) for k in self.store.r.hkeys(self.store.keys.matches(self.pid(name))))

    def seq(self, name: str) -> int:
        return int(self.store.r.hget(self.store.keys.match_meta(self.pid(name)), "seq") or 0)

    def run_seq(self, name: str) -> int:
        return int(self.store.r.get(self.store.keys.run_seq(self.pid(name))) or 0)

    def deliveries(self, task_id: str, retries: int = 0) -> int:
        return int(self.store.r.get(self.store.keys.deliveries(task_id, retries)) or 0)

    # --- broker keys (kombu's global_keyprefix puts them under tm:q:)
    def broker_key(self, name: str) -> str:
        return self.store.keys.broker_prefix() + name

    def queue_len(self) -> int:
        return int(self.store.r.llen(self.broker_key(QUEUE)))

    def unacked(self) -> int:
        return int(self.store.r.hlen(self.broker_key("unacked")))

    def write_registry(self, nct_id: str, study: dict[str, Any]) -> None:
        (self.registry / f"{nct_id}.json").write_text(json.dumps(study))

    def new_data_version(self, version: str) -> None:
        """The registry's data moved (and the cached version expired): the next run searches."""
        self.stub.data_version = version
        self.store.r.delete(self.store.keys.data_version())

    def matched(self, name: str, timeout: float = 30) -> dict[str, Any]:
        """Submit and wait for a clean match; the stored set as a comparable dict."""
        sub = self.submit(name)
        job = self.wait_job(sub.job_id, timeout=timeout)
        assert job["status"] == "done", job
        return self.snapshot(name)

    def snapshot(self, name: str) -> dict[str, Any]:
        run = self.store.read_matches(self.pid(name))
        assert run is not None
        return {"seq": self.seq(name), "run": run.model_dump(mode="json")}


StackFactory = Callable[..., FaultStack]


@pytest.fixture
def make_stack(tmp_path: Path) -> Iterator[StackFactory]:
    """Build the test's stack: `make_stack(latency_s=2, aof=True, **env)` (no worker yet)."""
    made: list[FaultStack] = []

    def build(*, latency_s: float = 0.0, aof: bool = False, **env: str) -> FaultStack:
        assert not made, "one stack per test"
        registry = tmp_path / "registry"
        registry.mkdir()
        for nct in REGISTRY:
            (registry / f"{nct}.json").write_text(json.dumps(record(nct)))
        stub = FaultStub(registry, latency_s=latency_s, data_version="v1")
        server = RedisServer(tmp_path / "redis", aof=aof)
        environment = stack_env(
            server.url, TRIALMATCH_CTGOV_BASE_URL=stub.url, **{**BASE_ENV, **env}
        )
        del environment["TRIALMATCH_CTGOV_SNAPSHOT"]  # the live-API path, against the stub
        settings = _settings_from_env(environment, redis_socket_timeout_s=5)
        store = Store.from_settings(settings)
        stack = FaultStack(
            tmp_path, server, stub, registry, environment, settings, store, create_app(settings)
        )
        made.append(stack)
        return stack

    try:
        yield build
    finally:
        for stack in made:
            for worker in stack.workers:
                worker.kill()  # SIGKILL the whole process group; nothing to wait for
                worker.proc.wait(10)
                worker.stop()
            stack.app.close()
            stack.store.r.close()
            stack.server.stop()
            stack.stub.close()


@pytest.fixture(scope="session")
def clean_count(tmp_path_factory: pytest.TempPathFactory) -> int:
    """HLEN of the example profile's match set after an undisturbed in-process run."""
    from matcher.adapters.ctgov.source import make_source
    from matcher.domain.eligibility import EngineOptions
    from matcher.services.corpus import TrialCorpus
    from matcher.services.pipeline import run_match
    from workers.runtime import corpus_query

    tmp = tmp_path_factory.mktemp("clean")
    registry = tmp / "registry"
    registry.mkdir()
    for nct in REGISTRY:
        (registry / f"{nct}.json").write_text(json.dumps(record(nct)))
    stub = CtgovStub(registry)
    server = RedisServer(tmp / "redis")
    try:
        settings = Settings(redis_url=server.url, ctgov_base_url=stub.url, ctgov_min_interval_s=0)
        store = Store.from_settings(settings)
        clean = submit_json(
            store,
            example_json("CLEAN", dated_today=False),
            publish=lambda p, j: None,
            retention_days=1,
        ).profile_id
        source = make_source(settings, store)
        corpus = TrialCorpus(store, source, corpus_query(settings), ttl_s=3600)
        run_match(store, corpus, clean, options=EngineOptions())
        source.close()
        count = int(store.r.hlen(store.keys.matches(clean)))
        store.r.close()
    finally:
        server.stop()
        stub.close()
    assert count == len(REGISTRY)
    return count


def wait_until(predicate: Callable[[], object], timeout: float, what: str) -> None:
    wait_for(predicate, timeout, interval=0.05, what=what)
