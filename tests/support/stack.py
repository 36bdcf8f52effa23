"""An isolated stack per test module: private redis-server + a real Celery worker subprocess.

A pytest plugin (tests/conftest.py lists it in `pytest_plugins`), so the integration and API
suites share the `stack` fixture without importing it across packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from matcher.adapters.store import Store
from matcher.services.submission import Submission, submit_json
from matcher.settings import Settings
from tests.support.jobs import FINAL, wait_job
from tests.support.procs import SNAPSHOT, RedisServer, Worker, stack_env
from workers.celery_app import create_app


@dataclass
class Stack:
    server: RedisServer
    worker: Worker
    env: dict[str, str]
    settings: Settings
    store: Store
    app: Any
    tmp: Path

    def publish(self, profile_id: str, job_id: str) -> object:
        return self.app.send_task(
            "trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id
        )

    def submit(self, raw: str | bytes) -> Submission:
        return submit_json(self.store, raw, publish=self.publish, retention_days=30)

    def wait_job(self, job_id: str, timeout: float = 60) -> dict[str, str]:
        job = wait_job(self.store, job_id, timeout)
        if job["status"] in FINAL:
            return job
        raise TimeoutError(
            f"job {job_id} still {job['status']} after {timeout}s:\n{self.worker.log()[-2000:]}"
        )


def make_settings(url: str, **kw: Any) -> Settings:
    return Settings(redis_url=url, ctgov_snapshot=SNAPSHOT, any_status=True, **kw)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("stack")
    server = RedisServer(tmp / "redis")
    env = stack_env(server.url, TRIALMATCH_ANY_STATUS="true")
    worker = Worker(env, tmp / "worker.log", concurrency=2)
    settings = make_settings(server.url)
    store = Store.from_settings(settings)
    app = create_app(settings)
    try:
        yield Stack(server, worker, env, settings, store, app, tmp)
    finally:
        worker.stop()
        server.stop()
