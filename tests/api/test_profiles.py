"""Submitting, replacing, reading and erasing profiles through the HTTP API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from matcher.ctgov.query import SearchQuery
from matcher.erase import erase_profile
from matcher.schedule import claim_rematch, register_profile_query, start_rematch
from tests.api.conftest import ApiEnv, profile_json, push_change, sample_run, store_run


def test_post_accepts_stores_and_enqueues(api_env: ApiEnv) -> None:
    """POST answers 202 with ids and revision 1, stores the profile and queues one task."""
    queued = api_env.queue_length()
    res = api_env.client.post("/v1/profiles", content=profile_json("TB-post"), headers=api_env.a)
    assert res.status_code == 202, res.text
    body = res.json()
    assert body["profile_id"] == "TB-post"
    assert body["revision"] == 1
    assert body["job_id"]
    assert api_env.queue_length() == queued + 1
    stored = api_env.client.get("/v1/profiles/TB-post", headers=api_env.a).json()
    assert stored["board_id"] == "board-a"
    assert stored["revision"] == 1
    assert stored["profile"]["diagnosis"] == "synovial sarcoma"
    job = api_env.client.get(f"/v1/jobs/{body['job_id']}", headers=api_env.a).json()
    assert job == {**job, "profile_id": "TB-post", "status": "queued"}


def test_invalid_profile_names_each_field_and_writes_nothing(api_env: ApiEnv) -> None:
    """A 422 lists every bad field (wrong type, negative age, unknown field) and stores nothing."""
    body = json.loads(profile_json("TB-bad"))
    body.update(age_months=-3, sex=1, weight_kg="52", patient_name="Jane Doe")
    keys, queued = api_env.data_keys(), api_env.queue_length()
    res = api_env.client.post("/v1/profiles", content=json.dumps(body), headers=api_env.a)
    assert res.status_code == 422, res.text
    fields = {d["field"] for d in res.json()["detail"]}
    assert {"age_months", "sex", "weight_kg", "patient_name"} <= fields
    assert all(d["message"] for d in res.json()["detail"])
    assert api_env.data_keys() == keys
    assert api_env.queue_length() == queued


def test_non_json_and_empty_bodies_are_422(api_env: ApiEnv) -> None:
    """A body that is not JSON is a 422 naming the profile, not a 500."""
    for raw in (b"", b"not json", b"[1, 2]"):
        res = api_env.client.post("/v1/profiles", content=raw, headers=api_env.a)
        assert res.status_code == 422, raw
        assert res.json()["detail"][0]["field"]


def _chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * 4096
        sent += 4096


def test_oversized_body_is_413_before_parsing(api_env: ApiEnv) -> None:
    """A 200 KiB body is refused with 413, with or without a Content-Length, storing nothing."""
    keys, queued = api_env.data_keys(), api_env.queue_length()
    padded = profile_json("TB-big")[:-1] + ', "diagnosis_code": "' + "x" * 200 * 1024 + '"}'
    res = api_env.client.post("/v1/profiles", content=padded, headers=api_env.a)
    assert res.status_code == 413
    streamed = api_env.client.post("/v1/profiles", content=_chunks(200 * 1024), headers=api_env.a)
    assert streamed.status_code == 413
    put = api_env.client.put("/v1/profiles/TB-big", content=padded, headers=api_env.a)
    assert put.status_code == 413
    assert api_env.data_keys() == keys
    assert api_env.queue_length() == queued


def test_post_of_an_existing_id_is_409(api_env: ApiEnv) -> None:
    """POST never overwrites: an id already in use (by any board) answers 409 and PUT is named."""
    api_env.create("TB-taken")
    for headers in (api_env.a, api_env.b):
        res = api_env.client.post("/v1/profiles", content=profile_json("TB-taken"), headers=headers)
        assert res.status_code == 409
        assert "PUT" in res.json()["detail"]
    stored = api_env.client.get("/v1/profiles/TB-taken", headers=api_env.a).json()
    assert stored["revision"] == 1
    assert stored["board_id"] == "board-a"


def test_put_replaces_with_a_new_revision_and_job(api_env: ApiEnv) -> None:
    """PUT stores revision 2 of the board's profile and queues a new match job."""
    first = api_env.create("TB-put")
    queued = api_env.queue_length()
    res = api_env.client.put(
        "/v1/profiles/TB-put", content=profile_json("TB-put", weight_kg=50), headers=api_env.a
    )
    assert res.status_code == 202, res.text
    assert res.json()["revision"] == 2
    assert res.json()["job_id"] != first["job_id"]
    assert api_env.queue_length() == queued + 1
    stored = api_env.client.get("/v1/profiles/TB-put", headers=api_env.a).json()
    assert stored["profile"]["weight_kg"] == 50


def test_put_with_a_different_body_id_is_422(api_env: ApiEnv) -> None:
    """The id in the path must equal the body's profile_id, else 422 on profile_id."""
    api_env.create("TB-put-id")
    res = api_env.client.put(
        "/v1/profiles/TB-put-id", content=profile_json("TB-other"), headers=api_env.a
    )
    assert res.status_code == 422
    assert res.json()["detail"][0]["field"] == "profile_id"


def test_put_of_a_missing_profile_is_404(api_env: ApiEnv) -> None:
    """PUT replaces only: an unknown id answers 404 and nothing is created."""
    res = api_env.client.put(
        "/v1/profiles/TB-never", content=profile_json("TB-never"), headers=api_env.a
    )
    assert res.status_code == 404
    assert not api_env.store.profile_exists("TB-never")


def test_delete_leaves_no_key_about_the_profile(api_env: ApiEnv) -> None:
    """DELETE erases profile, matches, meta, seq, changes, report marker, jobs: no key names it."""
    sub = api_env.create("TB-erase")
    api_env.client.put("/v1/profiles/TB-erase", content=profile_json("TB-erase"), headers=api_env.a)
    store_run(api_env, sample_run("TB-erase"))
    push_change(api_env, "TB-erase", datetime.now(UTC), "new_trial", "NCT01000001", "opened")
    api_env.store.count_delivery(sub["job_id"], 0)
    # What the scheduler keeps about a profile (normally written by a match run / re-match).
    query = SearchQuery(("synovial sarcoma",), ("RECRUITING",))
    register_profile_query(api_env.store, "TB-erase", query, date.today() + timedelta(days=30))
    claim_rematch(api_env.store, "TB-erase", "2026-W48", ttl_s=600)
    start_rematch(api_env.store, "TB-erase", "2026-W48", "task-1", ttl_s=600)
    assert api_env.client.get("/v1/profiles/TB-erase/report", headers=api_env.a).status_code == 200
    named = [k for k in api_env.store.r.scan_iter("*") if "TB-erase" in k or sub["job_id"] in k]
    assert len(named) >= 7, named

    res = api_env.client.delete("/v1/profiles/TB-erase", headers=api_env.a)
    assert res.status_code == 200, res.text
    assert res.json()["deleted_keys"] >= len(named)
    left = [k for k in api_env.store.r.scan_iter("*") if "TB-erase" in k or sub["job_id"] in k]
    assert left == []
    keys = api_env.store.keys
    assert api_env.store.r.zscore(keys.profiles_index(), "TB-erase") is None
    assert api_env.store.r.zscore(keys.recheck(), "TB-erase") is None
    assert not api_env.store.r.sismember(keys.query_profiles(query.cache_key()), "TB-erase")
    for url in ("/v1/profiles/TB-erase", "/v1/profiles/TB-erase/matches",
                f"/v1/jobs/{sub['job_id']}", "/v1/profiles/TB-erase/report"):  # fmt: skip
        assert api_env.client.get(url, headers=api_env.a).status_code == 404, url
    assert api_env.client.delete("/v1/profiles/TB-erase", headers=api_env.a).status_code == 404


def test_erase_profile_is_idempotent(api_env: ApiEnv) -> None:
    """erase_profile counts the keys it deleted and deletes nothing the second time."""
    api_env.create("TB-erase-twice")
    assert erase_profile(api_env.store, "TB-erase-twice") >= 3
    assert erase_profile(api_env.store, "TB-erase-twice") == 0


def test_concurrent_posts_of_one_id_create_it_once(api_env: ApiEnv) -> None:
    """Two boards POSTing the same new id at once: one 202, the others 409, one owner stored."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    def post(headers: dict[str, str]) -> int:
        with TestClient(api_env.app) as client:
            res = client.post("/v1/profiles", content=profile_json("TB-race"), headers=headers)
            return res.status_code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(post, [api_env.a, api_env.b] * 4))
    assert sorted(codes) == [202] + [409] * 7
    stored = api_env.store.load_profile("TB-race")
    assert stored.revision == 1


def test_submission_warns_about_a_diagnosis_the_vocabulary_does_not_know(api_env: ApiEnv) -> None:
    """POST of "synovial sarcoam" (a typo) is accepted with a warning naming it; a known
    diagnosis gets no warning."""
    typo = profile_json("TB-typo", diagnosis="synovial sarcoam")
    res = api_env.client.post("/v1/profiles", content=typo, headers=api_env.a)
    assert res.status_code == 202, res.text
    assert any("synovial sarcoam" in w for w in res.json()["warnings"])
    assert api_env.create("TB-known")["warnings"] == []
