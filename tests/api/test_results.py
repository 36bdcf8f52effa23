"""Reading results: filtered matches, the change log, and cached trials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matcher.adapters.ctgov.snapshot import SnapshotSource
from tests.api.conftest import ApiEnv, push_change, sample_run, store_run
from tests.support.procs import SNAPSHOT


def _ids(res: object) -> list[str]:
    return [m["nct_id"] for m in res.json()["results"]]  # type: ignore[attr-defined]


def test_matches_are_pending_before_a_run(api_env: ApiEnv) -> None:
    """Before any run is stored the matches answer 200 with pending=true and no results."""
    pid = api_env.create("TB-pending")["profile_id"]
    body = api_env.client.get(f"/v1/profiles/{pid}/matches", headers=api_env.a).json()
    assert body["pending"] is True
    assert body["results"] == []
    assert body["total"] == 0


def test_matches_are_ranked_and_filtered(api_env: ApiEnv) -> None:
    """Matches come best first; verdict (repeatable), max_distance_km and phase filter them."""
    pid = api_env.create("TB-filter")["profile_id"]
    store_run(api_env, sample_run(pid))
    url, h = f"/v1/profiles/{pid}/matches", api_env.a
    everything = api_env.client.get(url, headers=h)
    assert everything.status_code == 200
    assert _ids(everything) == ["NCT01000001", "NCT01000002", "NCT01000003"]
    assert everything.json()["pending"] is False
    assert everything.json()["total"] == 3
    one = api_env.client.get(url, params={"verdict": "eligible"}, headers=h)
    assert _ids(one) == ["NCT01000001"]
    two = api_env.client.get(
        url, params=[("verdict", "eligible"), ("verdict", "ineligible")], headers=h
    )
    assert _ids(two) == ["NCT01000001", "NCT01000003"]
    phase = api_env.client.get(url, params={"phase": "phase1"}, headers=h)
    assert _ids(phase) == ["NCT01000002"]


def test_distance_filter_keeps_and_counts_trials_of_unknown_distance(api_env: ApiEnv) -> None:
    """max_distance_km drops a trial known to be too far, keeps one with no site, counts it."""
    pid = api_env.create("TB-distance")["profile_id"]
    store_run(api_env, sample_run(pid))
    url, h = f"/v1/profiles/{pid}/matches", api_env.a
    near = api_env.client.get(url, params={"max_distance_km": 100}, headers=h).json()
    assert [m["nct_id"] for m in near["results"]] == ["NCT01000001", "NCT01000003"]
    assert near["results"][1]["nearest_site"] is None
    assert near["distance_unknown"] == 1
    unfiltered = api_env.client.get(url, headers=h).json()
    assert unfiltered["distance_unknown"] is None


def test_phase_filter_accepts_short_forms_and_refuses_unknown_values(api_env: ApiEnv) -> None:
    """?phase=2 means PHASE2; an unknown phase is a 422 naming query.phase and allowed values."""
    pid = api_env.create("TB-phase")["profile_id"]
    store_run(api_env, sample_run(pid))
    url, h = f"/v1/profiles/{pid}/matches", api_env.a
    for value in ("2", "PHASE2", "Phase 2"):
        assert _ids(api_env.client.get(url, params={"phase": value}, headers=h)) == [
            "NCT01000001"
        ], value
    two = api_env.client.get(url, params=[("phase", "1"), ("phase", "3")], headers=h)
    assert _ids(two) == ["NCT01000002", "NCT01000003"]
    bad = api_env.client.get(url, params={"phase": "7"}, headers=h)
    assert bad.status_code == 422
    detail = bad.json()["detail"][0]
    assert detail["field"] == "query.phase.0"
    assert "PHASE2" in detail["message"]
    assert "EARLY_PHASE1" in detail["message"]


def test_bad_filters_are_422_naming_the_parameter(api_env: ApiEnv) -> None:
    """An unknown verdict or a negative distance is a 422 naming the query parameter."""
    pid = api_env.create("TB-badfilter")["profile_id"]
    url = f"/v1/profiles/{pid}/matches"
    for params, field in (({"verdict": "maybe"}, "query.verdict"),
                          ({"max_distance_km": -1}, "query.max_distance_km"),
                          ({"max_distance_km": "far"}, "query.max_distance_km")):  # fmt: skip
        res = api_env.client.get(url, params=params, headers=api_env.a)
        assert res.status_code == 422
        assert res.json()["detail"][0]["field"].startswith(field), res.json()


def test_changes_are_filtered_by_since(api_env: ApiEnv) -> None:
    """The change log returns entries after `since`, oldest first; none logged gives []."""
    pid = api_env.create("TB-changes")["profile_id"]
    url = f"/v1/profiles/{pid}/changes"
    assert api_env.client.get(url, headers=api_env.a).json()["changes"] == []
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    push_change(api_env, pid, t0 + timedelta(days=2), "verdict_changed", "NCT01000002",
                {"from": "ineligible", "to": "possibly_eligible"})  # fmt: skip
    push_change(api_env, pid, t0, "new_trial", "NCT01000001", "now recruiting")
    api_env.store.r.rpush(api_env.store.keys.changes(pid), "{not json")
    all_ = api_env.client.get(url, headers=api_env.a).json()["changes"]
    assert [c["nct_id"] for c in all_] == ["NCT01000001", "NCT01000002"]
    later = api_env.client.get(url, params={"since": "2026-11-02T00:00:00Z"}, headers=api_env.a)
    assert [c["kind"] for c in later.json()["changes"]] == ["verdict_changed"]
    bad = api_env.client.get(url, params={"since": "yesterday"}, headers=api_env.a)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "query.since"


def test_trial_lookup_validates_the_nct_id(api_env: ApiEnv) -> None:
    """A cached trial is served; a malformed NCT id is 422; an uncached one is 404."""
    trial = SnapshotSource(SNAPSHOT).all_trials()[0]
    api_env.store.put_search("api-test", "v1", [trial], ttl_s=600)
    res = api_env.client.get(f"/v1/trials/{trial.nct_id}", headers=api_env.b)
    assert res.status_code == 200
    assert res.json()["nct_id"] == trial.nct_id
    bad = api_env.client.get("/v1/trials/NCT123", headers=api_env.a)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "path.nct_id"
    assert api_env.client.get("/v1/trials/NCT99999999", headers=api_env.a).status_code == 404


def test_openapi_describes_the_api(api_env: ApiEnv) -> None:
    """/openapi.json is served and documents every /v1 route with the profile request body."""
    spec = api_env.client.get("/openapi.json").json()
    assert {"/v1/profiles", "/v1/profiles/{profile_id}/report", "/v1/trials/{nct_id}"} <= set(
        spec["paths"]
    )
    body = spec["paths"]["/v1/profiles"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["$ref"] == "#/components/schemas/ProfileIn"
    assert "ProfileIn" in spec["components"]["schemas"]


def test_matches_carry_the_runs_warnings(api_env: ApiEnv) -> None:
    """The match output shows the run's plausibility warnings, and none for a clean run."""
    pid = api_env.create("TB-warned")["profile_id"]
    warning = "assessed_on is 150 days before the evaluation date (more than 90): update it"
    store_run(api_env, sample_run(pid).model_copy(update={"warnings": [warning]}))
    body = api_env.client.get(f"/v1/profiles/{pid}/matches", headers=api_env.a).json()
    assert body["warnings"] == [warning]
    clean = api_env.create("TB-unwarned")["profile_id"]
    store_run(api_env, sample_run(clean))
    body = api_env.client.get(f"/v1/profiles/{clean}/matches", headers=api_env.a).json()
    assert body["warnings"] == []
