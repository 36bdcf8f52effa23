"""The Redis store against a real redis-server: atomic, fenced, idempotent, rolled back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from matcher.adapters.store import Store
from matcher.domain.models import CriterionResult, MatchRun, StoredProfile, TrialMatch
from tests.support.procs import REPO
from tests.support.profiles import example_profile

pytestmark = pytest.mark.integration


def _stored(profile_id: str = "ST-1", revision: int = 1) -> StoredProfile:
    now = datetime.now(UTC)
    return StoredProfile(
        profile_id=profile_id,
        profile=example_profile(dated_today=False),
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


def _profile(store: Store, *profile_ids: str) -> None:
    """Match sets are only ever written for a stored profile (an erased one refuses them)."""
    for n, pid in enumerate(profile_ids):
        store.save_submission(_stored(pid), f"job-{pid}-{n}")


def test_write_replaces_the_whole_set(store: Store) -> None:
    """A second run replaces the first entirely: no stale or duplicate records remain."""
    expires = datetime.now(UTC) + timedelta(days=1)
    _profile(store, "ST-2")
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
    _profile(store, "ST-3")
    assert store.write_matches(_run("ST-3", 2, "newer"), 7, expires)
    assert not store.write_matches(_run("ST-3", 4, "older"), 6, expires)
    run = store.read_matches("ST-3")
    assert run is not None
    assert {m.title.split()[0] for m in run.results} == {"newer"}


def test_redelivered_run_is_idempotent(store: Store) -> None:
    """The same run written twice (a redelivery) leaves exactly one record per trial."""
    expires = datetime.now(UTC) + timedelta(days=1)
    _profile(store, "ST-4")
    run = _run("ST-4", 4, "x")
    assert store.write_matches(run, 1, expires)
    assert store.write_matches(run, 1, expires)
    assert store.r.hlen(store.keys.matches("ST-4")) == 4


def test_delivery_counter_counts_per_retry(store: Store) -> None:
    """Deliveries are counted per (task, retry attempt), so retries do not look like poison."""
    store.save_submission(_stored(), "t1")
    guard = store.keys.job("t1")
    assert [store.count_delivery("t1", 0, guard_key=guard) for _ in range(3)] == [1, 2, 3]
    assert store.count_delivery("t1", 1, guard_key=guard) == 1


def test_trial_cache_is_shared_by_version(store: Store, tmp_path: Path) -> None:
    """A cached search returns its trials; a missing trial body forces a fresh search (None)."""
    from matcher.adapters.ctgov.parse import parse_study

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


def _named(store: Store, *names: str) -> list[str]:
    """Every key whose name contains one of `names`."""
    return sorted(k for k in store.r.scan_iter("*") if any(n in k for n in names))


def test_an_erased_profile_gets_no_write_from_a_late_run(store: Store) -> None:
    """After erasure every per-profile write of a run refuses (ProfileGone) and creates no key."""
    from matcher.adapters.ctgov.query import SearchQuery
    from matcher.errors import ProfileGone
    from matcher.services.erase import erase_profile
    from matcher.services.trial_sync import claim_rematch, register_profile_query, start_rematch

    _profile(store, "ST-E")
    job_id = "job-ST-E-0"
    seq = store.next_run_seq("ST-E")
    erase_profile(store, "ST-E")
    assert _named(store, "ST-E") == []
    with pytest.raises(ProfileGone):
        store.next_run_seq("ST-E")
    with pytest.raises(ProfileGone):
        store.write_matches(_run("ST-E", 2, "late"), seq, datetime.now(UTC) + timedelta(days=1))
    assert store.set_job(job_id, "running", lease_s=60) is False
    assert store.set_job(job_id, "done") is False
    assert store.count_delivery(job_id, 0, guard_key=store.keys.job(job_id)) is None
    query = SearchQuery(("synovial sarcoma",), ("RECRUITING",))
    register_profile_query(store, "ST-E", query, date.today() + timedelta(days=30))
    assert claim_rematch(store, "ST-E", "2026-W48", ttl_s=60) is False
    with pytest.raises(ProfileGone):
        start_rematch(store, "ST-E", "2026-W48", "task-1", ttl_s=60)
    assert _named(store, "ST-E", job_id) == []
    assert store.r.zscore(store.keys.recheck(), "ST-E") is None
    assert store.r.zscore(store.keys.jobs_running(), job_id) is None


def test_live_profile_writes_still_work_and_run_seq_expires_with_profile(store: Store) -> None:
    """The erasure guards do not block a live profile: seq, job, counter and set are written."""
    _profile(store, "ST-L")
    seq = store.next_run_seq("ST-L")
    assert 0 < store.r.ttl(store.keys.run_seq("ST-L")) <= 86_400
    assert store.set_job("job-ST-L-0", "running", lease_s=60) is True
    assert store.r.zscore(store.keys.jobs_running(), "job-ST-L-0") is not None
    assert store.write_matches(_run("ST-L", 2, "x"), seq, datetime.now(UTC) + timedelta(days=1))
    assert store.set_job("job-ST-L-0", "done") is True
    assert store.r.zscore(store.keys.jobs_running(), "job-ST-L-0") is None


CANARY = "Canary-Value-7731"  # constructed: a stored value that must never reach a log or reason


def test_corrupt_stored_profile_error_names_fields_never_values(store: Store) -> None:
    """An unreadable stored profile raises StoredRecordUnreadable naming field paths only."""
    from matcher.errors import StoredRecordUnreadable, reason_for

    stored = json.loads(_stored("ST-C").model_dump_json())
    stored["profile"]["sex"] = CANARY
    stored["profile"]["age_months"] = CANARY
    store.r.set(store.keys.profile("ST-C"), json.dumps(stored))
    with pytest.raises(StoredRecordUnreadable) as caught:
        store.load_profile("ST-C")
    text = reason_for(caught.value)
    assert "profile.sex" in text
    assert "profile.age_months" in text
    assert CANARY not in text
    assert CANARY not in repr(caught.value)
    assert caught.value.__suppress_context__  # the pydantic text is not chained into tracebacks


def test_corrupt_match_entry_is_quarantined_not_sticky(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A corrupt entry is logged by id, left out, dropped and queued for rebuild; the rest reads."""
    _profile(store, "ST-Q")
    seq = store.next_run_seq("ST-Q")
    assert store.write_matches(_run("ST-Q", 3, "ok"), seq, datetime.now(UTC) + timedelta(days=1))
    store.r.hset(store.keys.matches("ST-Q"), "NCT00000001", '{"nct_id": "' + CANARY + '"')
    with caplog.at_level("WARNING", logger="matcher.adapters.store"):
        run = store.read_matches("ST-Q")
    assert run is not None
    assert sorted(m.nct_id for m in run.results) == ["NCT00000000", "NCT00000002"]
    assert "profile_id=ST-Q nct_id=NCT00000001" in caplog.text
    assert CANARY not in caplog.text
    assert not store.r.hexists(store.keys.matches("ST-Q"), "NCT00000001")
    assert store.r.zscore(store.keys.recheck(), "ST-Q") == 0  # due at the next sync
    # The next read (and the next run's diff) is clean again.
    again = store.read_matches("ST-Q")
    assert again is not None
    assert len(again.results) == 2
    assert store.read_match_entries("ST-Q", ["NCT00000000", "NCT00000001"]).keys() == {
        "NCT00000000"
    }


def test_corrupt_match_run_record_reads_as_no_set(store: Store) -> None:
    """A corrupt run record (meta) reads as 'no set yet' and is queued for a rebuild."""
    _profile(store, "ST-M")
    seq = store.next_run_seq("ST-M")
    assert store.write_matches(_run("ST-M", 1, "ok"), seq, datetime.now(UTC) + timedelta(days=1))
    store.r.hset(store.keys.match_meta("ST-M"), "run", "{not json")
    assert store.read_matches("ST-M") is None
    assert store.r.zscore(store.keys.recheck(), "ST-M") == 0


def test_a_changed_search_forgets_the_old_phrases_with_its_last_profile(store: Store) -> None:
    """Re-registering a profile under a new search drops the old search (the registered
    FORGET_QUERY script) once no profile uses it, and keeps the new one."""
    from matcher.adapters.ctgov.query import SearchQuery
    from matcher.services.trial_sync import register_profile_query

    _profile(store, "ST-Q")
    old = SearchQuery(("synovial sarcoma",), ("RECRUITING",))
    new = SearchQuery(("rhabdomyosarcoma",), ("RECRUITING",))
    register_profile_query(store, "ST-Q", old, None)
    assert store.r.hexists(store.keys.queries(), old.cache_key())
    register_profile_query(store, "ST-Q", new, None)
    assert not store.r.hexists(store.keys.queries(), old.cache_key())
    assert store.r.hexists(store.keys.queries(), new.cache_key())


def test_the_sync_lock_admits_one_holder_and_is_freed_on_exit(store: Store) -> None:
    """A second sync_lock while one is held is refused at once; leaving the first frees it."""
    with store.sync_lock(30) as first, store.sync_lock(30) as second:
        assert first is True
        assert second is False
    with store.sync_lock(30) as again:
        assert again is True
    assert store.r.exists(store.keys.sync_lock()) == 0
