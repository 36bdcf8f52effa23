"""The Redis store against a real redis-server: atomic, fenced, idempotent, rolled back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from matcher.keys import Keys
from matcher.models import CriterionResult, MatchRun, StoredProfile, TrialMatch
from matcher.models.profile import parse_profile
from matcher.store import Store
from tests.support.procs import REPO, RedisServer

pytestmark = pytest.mark.integration

EXAMPLE = (REPO / "examples" / "synovial-pulmonary.json").read_text()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path_factory.mktemp("redis"))
    yield srv
    srv.stop()


@pytest.fixture
def store(server: RedisServer) -> Store:
    client = server.client(socket_timeout=2)
    client.flushdb()
    return Store(client, Keys("tm:"))


def _stored(profile_id: str = "ST-1", revision: int = 1) -> StoredProfile:
    body = json.loads(EXAMPLE)
    now = datetime.now(UTC)
    return StoredProfile(
        profile_id=profile_id,
        profile=parse_profile(json.dumps(body)),
        revision=revision,
        submitted_at=now,
        expires_at=now + timedelta(days=1),
    )


def _run(profile_id: str, n: int, tag: str) -> MatchRun:
    # Constructed match results (not registry data): only their count and tag matter here.
    results = [
        TrialMatch(
            nct_id=f"NCT{i:08d}",
            title=f"{tag} {i}",
            verdict="possibly_eligible",
            score=float(i),
            overall_status="RECRUITING",
            criteria=[CriterionResult(kind="age", text="t", verdict="met", reason="r")],
            trial_version="v",
            engine_version="e",
        )
        for i in range(n)
    ]
    return MatchRun(
        profile_id=profile_id, evaluated_on=date(2026, 11, 26), engine_version="e", results=results
    )


def test_submission_is_stored_with_a_queued_job(store: Store) -> None:
    """save_submission writes profile, job and index together, all expiring with the profile."""
    stored = _stored()
    store.save_submission(stored, "job-1")
    assert store.load_profile("ST-1").profile == stored.profile
    assert store.get_job("job-1")["status"] == "queued"
    assert store.r.ttl(store.keys.profile("ST-1")) > 0
    assert store.r.ttl(store.keys.job("job-1")) > 0


def test_undo_submission_restores_the_previous_state(store: Store) -> None:
    """Rolling back a failed publish removes the job and restores (or removes) the profile."""
    first = _stored(revision=1)
    store.save_submission(first, "job-a")
    previous = store.save_submission(_stored(revision=2), "job-b")
    store.undo_submission("ST-1", "job-b", previous)
    assert store.load_profile("ST-1").revision == 1
    assert not store.r.exists(store.keys.job("job-b"))
    store.undo_submission("ST-1", "job-a", None)
    assert not store.r.exists(store.keys.profile("ST-1"))


def test_write_replaces_the_whole_set(store: Store) -> None:
    """A second run replaces the first entirely: no stale or duplicate records remain."""
    expires = datetime.now(UTC) + timedelta(days=1)
    assert store.write_matches(_run("ST-2", 5, "first"), 1, expires)
    assert store.write_matches(_run("ST-2", 3, "second"), 2, expires)
    run = store.read_matches("ST-2")
    assert run is not None
    assert len(run.results) == 3 == store.r.hlen(store.keys.matches("ST-2"))
    assert all(m.title.startswith("second") for m in run.results)
    assert [m.score for m in run.results] == [2.0, 1.0, 0.0]


def test_an_older_run_cannot_overwrite_a_newer_one(store: Store) -> None:
    """Fencing: a run with a lower sequence number than the stored one is refused."""
    expires = datetime.now(UTC) + timedelta(days=1)
    assert store.write_matches(_run("ST-3", 2, "newer"), 7, expires)
    assert not store.write_matches(_run("ST-3", 4, "older"), 6, expires)
    run = store.read_matches("ST-3")
    assert run is not None
    assert {m.title.split()[0] for m in run.results} == {"newer"}


def test_redelivered_run_is_idempotent(store: Store) -> None:
    """The same run written twice (a redelivery) leaves exactly one record per trial."""
    expires = datetime.now(UTC) + timedelta(days=1)
    run = _run("ST-4", 4, "x")
    assert store.write_matches(run, 1, expires)
    assert store.write_matches(run, 1, expires)
    assert store.r.hlen(store.keys.matches("ST-4")) == 4


def test_delivery_counter_counts_per_retry(store: Store) -> None:
    """Deliveries are counted per (task, retry attempt), so retries do not look like poison."""
    assert [store.count_delivery("t1", 0) for _ in range(3)] == [1, 2, 3]
    assert store.count_delivery("t1", 1) == 1


def test_trial_cache_is_shared_by_version(store: Store, tmp_path: Path) -> None:
    """A cached search returns its trials; a missing trial body forces a fresh search (None)."""
    from matcher.ctgov.parse import parse_study

    records = sorted((REPO / "snapshot" / "sarcoma" / "records").glob("NCT*.json"))[:3]
    trials = [parse_study(json.loads(p.read_text())) for p in records]
    store.put_search("q1", "dv1", trials, ttl_s=60)
    cached = store.get_search("q1", "dv1")
    assert cached is not None
    assert [t.nct_id for t in cached] == [t.nct_id for t in trials]
    assert store.get_search("q1", "dv2") is None
    assert store.get_trial(trials[0].nct_id) == trials[0]
    store.r.delete(store.keys.trial(trials[1].nct_id, trials[1].version))
    assert store.get_search("q1", "dv1") is None
