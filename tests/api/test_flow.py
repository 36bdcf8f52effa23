"""Submit -> match -> read through the HTTP API with the real Celery worker (needs the engine)."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from matcher.services import boards
from tests.api.conftest import bearer
from tests.support.profiles import example_json
from tests.support.stack import Stack

ENGINE_LANDED = importlib.util.find_spec("matcher.domain.eligibility.engine") is not None
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not ENGINE_LANDED, reason="matcher.domain.eligibility.engine has not landed yet"
    ),
]


@pytest.fixture(scope="module")
def live(stack: Stack) -> Iterator[tuple[TestClient, dict[str, str], Stack]]:
    app = create_app(stack.settings, publish=stack.publish)
    token = boards.create_key(stack.store, "board-flow").token
    with TestClient(app) as client:
        yield client, bearer(token), stack


def _wait_done(client: TestClient, headers: dict[str, str], job_id: str) -> dict[str, str]:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job: dict[str, str] = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in {"done", "failed"}:
            return job
        time.sleep(0.2)
    raise TimeoutError(f"job {job_id} not finished")


def test_submitted_profile_is_matched_and_reported(
    live: tuple[TestClient, dict[str, str], Stack],
) -> None:
    """A POSTed profile reaches done via the worker; matches and the report then list trials."""
    client, headers, _ = live
    sub = client.post("/v1/profiles", content=example_json("TB-flow-1"), headers=headers).json()
    pid = sub["profile_id"]
    job = _wait_done(client, headers, sub["job_id"])
    assert job["status"] == "done", job
    body = client.get(f"/v1/profiles/{pid}/matches", headers=headers).json()
    assert body["pending"] is False
    assert body["results"]
    scores = [m["score"] for m in body["results"]]
    assert scores == sorted(scores, reverse=True)
    report = client.get(f"/v1/profiles/{pid}/report", headers=headers)
    assert report.status_code == 200
    assert body["results"][0]["nct_id"] in report.text


def test_delete_after_a_run_leaves_no_key(live: tuple[TestClient, dict[str, str], Stack]) -> None:
    """After a real run and a report, DELETE leaves no key naming the profile or its jobs."""
    client, headers, stack_ = live
    first = client.post("/v1/profiles", content=example_json("TB-flow-2"), headers=headers)
    pid = first.json()["profile_id"]
    second = client.put(f"/v1/profiles/{pid}", content=example_json("TB-flow-2"), headers=headers)
    for res in (first, second):
        assert _wait_done(client, headers, res.json()["job_id"])["status"] == "done"
    client.get(f"/v1/profiles/{pid}/report", headers=headers)
    jobs = {first.json()["job_id"], second.json()["job_id"]}
    assert client.delete(f"/v1/profiles/{pid}", headers=headers).status_code == 200
    broker = stack_.store.keys.broker_prefix()
    left = [
        k
        for k in stack_.store.r.scan_iter("*")
        if not k.startswith(broker) and (pid in k or any(j in k for j in jobs))
    ]
    assert left == []
