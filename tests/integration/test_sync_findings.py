"""Issue 11, findings 10 and 11: closures before the first sync, and a re-match racing the sync.

Each test gets a fresh real redis-server, a real Celery worker and the local CT.gov stub serving
copies of real snapshot records. The registry edits (a trial suspended, a new data version) are
constructed, as the registry would make them between two nights.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.routes_results import read_changes
from matcher.adapters.store import Store
from matcher.services.submission import submit_json
from matcher.settings import Settings
from tests.support.ctgov_stub import CtgovStub
from tests.support.jobs import wait_job
from tests.support.procs import REPO, SNAPSHOT, RedisServer, Worker, stack_env, wait_for
from tests.support.profiles import example_body, example_json
from workers.celery_app import create_app

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BASKET, SYNOVIAL_BASKET = "NCT04851119", "NCT05642455"


@dataclass
class Env:
    stub: CtgovStub
    folder: Path
    env: dict[str, str]
    store: Store
    publish: Any

    def write(self, nct_id: str, status: str | None = None) -> None:
        study = json.loads((SNAPSHOT / "records" / f"{nct_id}.json").read_text())
        if status is not None:
            study["protocolSection"]["statusModule"]["overallStatus"] = status
        (self.folder / f"{nct_id}.json").write_text(json.dumps(study))

    def submit(self, reference: str) -> str:
        """Submit the example under the board's `reference`; the server-assigned id comes back."""
        body = example_json(reference, dated_today=False)
        sub = submit_json(self.store, body, publish=self.publish, retention_days=30)
        assert wait_job(self.store, sub.job_id, 60)["status"] == "done"
        return sub.profile_id

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            env=self.env, cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def entries(self, profile_id: str, nct_id: str) -> list[str]:
        return [c.kind for c in read_changes(self.store, profile_id, None) if c.nct_id == nct_id]

    def closed_once(self, profile_id: str, nct_id: str) -> bool:
        """Reported as closed exactly once, never as "no longer listed" (a closure judged on
        status also moves the verdict, which is its own entry)."""
        kinds = self.entries(profile_id, nct_id)
        return kinds.count("trial_closed") == 1 and "trial_removed" not in kinds

    def live(self, profile_id: str, nct_id: str) -> str | None:
        run = self.store.read_matches(profile_id)
        assert run is not None
        found = [m.overall_status for m in run.results if m.nct_id == nct_id]
        return found[0] if found else None


@pytest.fixture
def env(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Env]:
    folder = tmp_path / "registry"
    folder.mkdir()
    stub = CtgovStub(folder, data_version="v1")
    server = RedisServer(tmp_path / "redis")
    overrides = {"TRIALMATCH_CTGOV_BASE_URL": stub.url, "TRIALMATCH_CTGOV_MIN_INTERVAL_S": "0",
                 **getattr(request, "param", {})}  # fmt: skip
    environment = stack_env(server.url, **overrides)
    del environment["TRIALMATCH_CTGOV_SNAPSHOT"]  # the live-API path, against the stub
    worker = Worker(environment, tmp_path / "worker.log", concurrency=2)
    settings = Settings(
        redis_url=server.url,  # type: ignore[arg-type]
        ctgov_base_url=stub.url,
        ctgov_min_interval_s=0,
        any_status=overrides.get("TRIALMATCH_ANY_STATUS") == "true",
    )
    store = Store.from_settings(settings)
    app = create_app(settings)

    def publish(profile_id: str, job_id: str) -> object:
        return app.send_task("trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id)

    e = Env(stub, folder, environment, store, publish)
    for nct in (BASKET, SYNOVIAL_BASKET):
        e.write(nct)
    try:
        yield e
    finally:
        worker.stop()
        server.stop()
        stub.close()


def test_closure_before_the_first_sync_reaches_every_profile(env: Env) -> None:
    """No sync has ever run: a trial suspended after matching is still reported as closed."""
    profiles = [env.submit("SF-a"), env.submit("SF-b")]
    assert all(env.live(p, BASKET) == "RECRUITING" for p in profiles)
    env.write(BASKET, status="SUSPENDED")  # drops out of the status-filtered corpus query
    env.stub.data_version = "v2"
    env.store.r.delete(env.store.keys.data_version())  # its cache would expire by the night
    env.cli("sync", "--wait", "--timeout", "60")
    for pid in profiles:
        assert env.closed_once(pid, BASKET), env.entries(pid, BASKET)
        assert env.live(pid, BASKET) == "SUSPENDED"
    again = env.cli("sync")
    assert "0 re-matches queued" in again
    searches = [p for path, p in env.stub.requests if path == "/api/v2/studies"]
    assert all("AVAILABLE" in p["filter.overallStatus"] for p in searches if "query.term" in p)


def test_closure_is_reported_after_the_previous_corpus_was_lost(env: Env) -> None:
    """A crashed first sync or an evicted corpus: the sync compares each profile with what it
    was matched on (its stored trial versions), and the build fetches the trials that left."""
    pid = env.submit("SF-lost")
    env.write(BASKET, status="SUSPENDED")
    env.stub.data_version = "v2"
    env.store.r.delete(env.store.keys.data_version())
    env.stub.faults.append((503, "unavailable", {}))  # the first sync's version check fails
    env.stub.faults.append((503, "unavailable", {}))
    env.stub.faults.append((503, "unavailable", {}))
    env.stub.faults.append((503, "unavailable", {}))
    failed = subprocess.run(
        [sys.executable, "-m", "cli.main", "sync"],
        env=env.env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert failed.returncode != 0
    env.stub.faults.clear()
    for key in env.store.r.scan_iter(match=f"{env.store.keys.prefix}corpus:*"):
        env.store.r.delete(key)  # and the previous corpus is gone too
    env.cli("sync", "--wait", "--timeout", "60")
    assert env.closed_once(pid, BASKET), env.entries(pid, BASKET)
    assert env.live(pid, BASKET) == "SUSPENDED"


def test_rematch_racing_the_sync_reports_one_closure_one_way(env: Env) -> None:
    """A re-match and the sync building the same data version at once publish one corpus:
    every profile gets exactly one trial_closed entry and sees the trial as SUSPENDED."""
    profiles = [env.submit(f"SF-race-{i}") for i in range(3)]
    env.write(BASKET, status="SUSPENDED")
    env.stub.data_version = "v2"
    env.store.r.delete(env.store.keys.data_version())
    env.stub.latency_s = 0.2  # widen the window in which both build the v2 corpus
    outputs: list[str] = []
    racers = [
        threading.Thread(target=lambda: outputs.append(env.cli("rematch", *profiles))),
        threading.Thread(target=lambda: outputs.append(env.cli("sync"))),
    ]
    for t in racers:
        t.start()
    for t in racers:
        t.join(120)
    assert len(outputs) == 2
    wait_for(lambda: all(env.live(p, BASKET) == "SUSPENDED" for p in profiles), 60)
    env.stub.latency_s = 0.0
    env.cli("sync", "--wait", "--timeout", "60")  # whatever the sync queued has run
    listings = [p for path, p in env.stub.requests if path == "/api/v2/studies"
                and p.get("fields") == "NCTId|OverallStatus|LastUpdatePostDate"]  # fmt: skip
    assert len(listings) == 1, "two writers swept the same data version"
    for pid in profiles:
        kinds = env.entries(pid, BASKET)
        assert env.closed_once(pid, BASKET), kinds
        assert len(kinds) == len(set(kinds)), kinds  # no entry twice
        assert env.live(pid, BASKET) == "SUSPENDED"


@pytest.mark.parametrize("env", [{"TRIALMATCH_ANY_STATUS": "true"}], indirect=True)
def test_status_change_is_seen_next_night_at_a_cost_independent_of_profiles(env: Env) -> None:
    """With every status listed, a status change that leaves the update date alone is noticed by
    the next nightly sweep: 1 /version + 1 listing + 1 filter.ids fetch, however many profiles."""
    ewing = example_body("SF-ewing", dated_today=False, diagnosis="Ewing sarcoma", age_months=130)
    sub = submit_json(env.store, json.dumps(ewing), publish=env.publish, retention_days=30)
    assert wait_job(env.store, sub.job_id, 60)["status"] == "done"
    profiles = [env.submit(f"SF-night-{i}") for i in range(4)] + [sub.profile_id]
    env.cli("sync")  # the first night learns the data version
    env.write(BASKET, status="ACTIVE_NOT_RECRUITING")  # the records carry no update date at all
    env.stub.data_version = "v2"
    env.store.r.delete(env.store.keys.data_version())
    before = len(env.stub.requests)
    env.cli("sync", "--wait", "--timeout", "60")
    night = [(path, p) for path, p in env.stub.requests[before:]]
    assert [path for path, _ in night] == ["/api/v2/version", "/api/v2/studies", "/api/v2/studies"]
    assert night[1][1]["fields"] == "NCTId|OverallStatus|LastUpdatePostDate"
    assert night[2][1]["filter.ids"] == BASKET
    for pid in profiles:  # status is not judged here, so the closure is the only entry
        assert env.live(pid, BASKET) == "ACTIVE_NOT_RECRUITING"
        assert env.entries(pid, BASKET) == ["trial_closed"]
