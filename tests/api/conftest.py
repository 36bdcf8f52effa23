"""API tests: the real app over a private redis-server (never 6379, never a fake).

`api_env` publishes match tasks through a real Celery app into that Redis but runs no worker,
so jobs stay queued and the broker queue can be inspected. Tests that need matching to happen
use the integration `stack` fixture (real worker) through `tests/api/test_flow.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from api.app import create_app
from matcher.adapters.store import Store
from matcher.domain.models import CriterionResult, MatchRun, NearestSite, TrialMatch
from matcher.services import boards
from matcher.settings import Settings
from tests.support.procs import SNAPSHOT, RedisServer
from tests.support.profiles import example_json
from tests.support.stack import Stack


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def board_client(stack: Stack, board: str) -> Iterator[tuple[TestClient, dict[str, str], Stack]]:
    """The API on a stack's settings and worker queue, with a fresh key's headers for `board`."""
    app = create_app(stack.settings, publish=stack.publish)
    token = boards.create_key(stack.store, board).token
    with TestClient(app) as client:
        yield client, bearer(token), stack


@dataclass
class ApiEnv:
    server: RedisServer
    settings: Settings
    store: Store
    app: FastAPI
    client: TestClient
    key_a: boards.IssuedKey
    key_b: boards.IssuedKey

    @property
    def a(self) -> dict[str, str]:
        return bearer(self.key_a.token)

    @property
    def b(self) -> dict[str, str]:
        return bearer(self.key_b.token)

    def queue_length(self) -> int:
        return int(self.store.r.llen(f"{self.store.keys.broker_prefix()}trialmatch"))

    def data_keys(self) -> set[str]:
        """Every key except the broker's own bookkeeping."""
        broker = self.store.keys.broker_prefix()
        return {k for k in self.store.r.scan_iter("*") if not k.startswith(broker)}

    def create(self, reference: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """POST a new profile; the answer carries the server-assigned `profile_id`."""
        res = self.client.post(
            "/v1/profiles", content=example_json(reference), headers=headers or self.a
        )
        assert res.status_code == 202, res.text
        body: dict[str, Any] = res.json()
        return body


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SAME_SITE = {"Origin": "http://testserver"}  # TestClient's own origin


def form_token(html: str) -> str:
    """The single-use token of a rendered login form."""
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "no form token in the login page"
    return found.group(1)


def login(client: TestClient, token: str) -> Response:
    """Sign `client` in through the login form as a browser on this site would."""
    page = client.get("/login")
    body = urlencode({"key": token, "form_token": form_token(page.text)})
    return client.post("/login", content=body, headers={**FORM, **SAME_SITE})


def make_settings(url: str) -> Settings:
    return Settings(redis_url=url, ctgov_snapshot=SNAPSHOT, any_status=True)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def api_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiEnv]:
    server = RedisServer(tmp_path_factory.mktemp("api") / "redis")
    try:
        settings = make_settings(server.url)
        store = Store.from_settings(settings)
        app = create_app(settings)
        key_a = boards.create_key(store, "board-a", label="tests")
        key_b = boards.create_key(store, "board-b", label="tests")
        with TestClient(app) as client:
            yield ApiEnv(server, settings, store, app, client, key_a, key_b)
    finally:
        server.stop()


def sample_run(profile_id: str, *, criterion_text: str = "Age 12 months to 21 years") -> MatchRun:
    """A stored-shape match run with one trial of each verdict (no engine needed)."""

    def crit(text: str, verdict: str, reason: str, section: str = "inclusion") -> CriterionResult:
        return CriterionResult.model_validate(
            {
                "kind": "other",
                "text": text,
                "verdict": verdict,
                "reason": reason,
                "section": section,
            }
        )

    near = NearestSite(
        facility="Children's Hospital of Philadelphia", city="Philadelphia",
        country="United States", status="RECRUITING", distance_km=1.2,
    )  # fmt: skip
    far = NearestSite(
        facility="Hospital Far Away", city="Denver", country="United States",
        status="RECRUITING", distance_km=2500.0,
    )  # fmt: skip
    results = [
        TrialMatch(
            nct_id="NCT01000001", title="Pazopanib for recurrent synovial sarcoma",
            verdict="eligible", score=92.5, overall_status="RECRUITING", phases=["PHASE2"],
            criteria=[
                crit(criterion_text, "met", "age 14 y is within 12 months–21 years"),
                crit("Measurable disease", "met", "tumor.measurable is true"),
                crit("No prior pazopanib", "met", "no pazopanib among prior therapies",
                     "exclusion"),
            ],
            to_verify=[], nearest_site=near, trial_version="2026-01-01", engine_version="test",
        ),
        TrialMatch(
            nct_id="NCT01000002", title="Phase 1 study of a new kinase inhibitor",
            verdict="possibly_eligible", score=60.0, overall_status="RECRUITING",
            phases=["PHASE1"],
            criteria=[
                crit("Adequate cardiac function", "unknown", "no echocardiogram in profile"),
                crit("Lansky ≥ 50", "met", "Lansky 90"),
            ],
            to_verify=["Adequate cardiac function"], nearest_site=far,
            trial_version="2026-01-01", engine_version="test",
        ),
        TrialMatch(
            nct_id="NCT01000003", title="Adult-only trial", verdict="ineligible", score=5.0,
            overall_status="COMPLETED", phases=["PHASE3"],
            criteria=[crit("Age ≥ 18 years", "not_met", "age 14 y is below 18 years")],
            decisive=["age 14 y is below 18 years"], nearest_site=None,
            trial_version="2026-01-01", engine_version="test",
        ),
    ]  # fmt: skip
    return MatchRun(
        profile_id=profile_id, evaluated_on=date.today(), engine_version="test",
        data_version="snapshot-test", created_at=datetime.now(UTC), results=results,
    )  # fmt: skip


def store_run(env: ApiEnv, run: MatchRun) -> None:
    seq = env.store.next_run_seq(run.profile_id)
    assert env.store.write_matches(run, seq, datetime.now(UTC) + timedelta(days=30))


def push_change(env: ApiEnv, profile_id: str, at: datetime, kind: str, nct_id: str,
                detail: object) -> None:  # fmt: skip
    entry = {"at": at.isoformat(), "kind": kind, "nct_id": nct_id, "detail": detail}
    env.store.r.rpush(env.store.keys.changes(profile_id), json.dumps(entry))
