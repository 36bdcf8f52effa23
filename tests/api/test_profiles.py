"""Submitting, replacing, reading and erasing profiles through the HTTP API."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from matcher.adapters.ctgov.query import SearchQuery
from matcher.domain.models.match import criterion_key
from matcher.domain.models.profile import PROFILE_ID
from matcher.services.erase import erase_profile
from matcher.services.trial_sync import claim_rematch, register_profile_query, start_rematch
from tests.api.conftest import ApiEnv, push_change, sample_run, store_run
from tests.support.profiles import example_json


def test_post_accepts_stores_and_enqueues(
    api_env: ApiEnv, caplog: pytest.LogCaptureFixture
) -> None:
    """POST answers 202 with a server-assigned opaque id and revision 1, stores the profile with
    the board's reference inside it, and queues one task; the reference is in no key name, no
    log line and no task message."""
    queued = api_env.queue_length()
    with caplog.at_level(logging.DEBUG):
        res = api_env.client.post(
            "/v1/profiles", content=example_json("TB-post-ref"), headers=api_env.a
        )
    assert res.status_code == 202, res.text
    body = res.json()
    pid = body["profile_id"]
    assert PROFILE_ID.match(pid), pid
    assert body["revision"] == 1
    assert body["job_id"]
    assert api_env.queue_length() == queued + 1
    stored = api_env.client.get(f"/v1/profiles/{pid}", headers=api_env.a).json()
    assert stored["profile_id"] == pid
    assert stored["profile"]["reference"] == "TB-post-ref"
    assert stored["board_id"] == "board-a"
    assert stored["revision"] == 1
    assert stored["profile"]["diagnosis"] == "synovial sarcoma"
    job = api_env.client.get(f"/v1/jobs/{body['job_id']}", headers=api_env.a).json()
    assert job == {**job, "profile_id": pid, "status": "queued"}
    assert any(pid in k for k in api_env.store.r.scan_iter("*"))
    assert not [k for k in api_env.store.r.scan_iter("*") if "TB-post-ref" in k]
    assert "TB-post-ref" not in caplog.text
    broker = api_env.store.keys.broker_prefix() + "trialmatch"
    assert "TB-post-ref" not in "".join(api_env.store.r.lrange(broker, 0, -1))


def test_invalid_profile_names_each_field_and_writes_nothing(api_env: ApiEnv) -> None:
    """A 422 lists every bad field (wrong type, negative age, unknown field) and stores nothing."""
    body = json.loads(example_json("TB-bad"))
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
    padded = example_json("TB-big")[:-1] + ', "diagnosis_code": "' + "x" * 200 * 1024 + '"}'
    res = api_env.client.post("/v1/profiles", content=padded, headers=api_env.a)
    assert res.status_code == 413
    streamed = api_env.client.post("/v1/profiles", content=_chunks(200 * 1024), headers=api_env.a)
    assert streamed.status_code == 413
    put = api_env.client.put("/v1/profiles/p_0", content=padded, headers=api_env.a)
    assert put.status_code == 413
    assert api_env.data_keys() == keys
    assert api_env.queue_length() == queued


def test_a_reference_is_unique_within_its_board_only(api_env: ApiEnv) -> None:
    """POST of a reference the board already uses is 409 naming that board's own profile; the
    same reference from another board is a new profile (202): no board learns or blocks
    another's references."""
    first = api_env.create("TB-taken")
    again = api_env.client.post("/v1/profiles", content=example_json("TB-taken"), headers=api_env.a)
    assert again.status_code == 409
    assert again.json()["profile_id"] == first["profile_id"]
    assert f"PUT /v1/profiles/{first['profile_id']}" in again.json()["detail"]
    other = api_env.create("TB-taken", headers=api_env.b)
    assert other["profile_id"] != first["profile_id"]
    mine = api_env.client.get(f"/v1/profiles/{first['profile_id']}", headers=api_env.a).json()
    assert mine["revision"] == 1
    assert mine["board_id"] == "board-a"
    theirs = api_env.client.get(f"/v1/profiles/{other['profile_id']}", headers=api_env.b).json()
    assert theirs["board_id"] == "board-b"
    assert theirs["profile"]["reference"] == "TB-taken"
    # Ids are not guessable across boards either: each sees only its own.
    url = f"/v1/profiles/{first['profile_id']}"
    assert api_env.client.get(url, headers=api_env.b).status_code == 404


def test_profile_without_a_reference_is_accepted(api_env: ApiEnv) -> None:
    """The reference is optional: a profile without one gets an id like any other."""
    body = json.loads(example_json("TB-unused"))
    body.pop("reference")
    res = api_env.client.post("/v1/profiles", content=json.dumps(body), headers=api_env.a)
    assert res.status_code == 202, res.text
    stored = api_env.store.load_profile(res.json()["profile_id"])
    assert stored.profile.reference is None


@pytest.mark.parametrize(
    "reference", ["DOE_JANE_2012-05-03", "MRN-00123456", "123-45-6789", "jane.doe@example.org"]
)
def test_identifying_reference_is_422_and_writes_nothing(api_env: ApiEnv, reference: str) -> None:
    """A reference that looks like a date, record number, SSN or e-mail address is refused by
    field (in its legacy name too), with nothing stored or queued."""
    keys, queued = api_env.data_keys(), api_env.queue_length()
    body = json.loads(example_json("x"))
    body.pop("reference")
    for field in ("reference", "profile_id"):
        raw = json.dumps({**body, field: reference})
        res = api_env.client.post("/v1/profiles", content=raw, headers=api_env.a)
        assert res.status_code == 422, res.text
        assert [d["field"] for d in res.json()["detail"]] == [field]
        assert reference not in res.text
    assert api_env.data_keys() == keys
    assert api_env.queue_length() == queued


def test_legacy_profile_id_field_is_read_as_the_reference(api_env: ApiEnv) -> None:
    """A document written for the first API version (with `profile_id`) is accepted; its value
    becomes the reference and the server still assigns the id."""
    body = json.loads(example_json("x"))
    body.pop("reference")
    raw = json.dumps({**body, "profile_id": "TB-legacy-1"})
    res = api_env.client.post("/v1/profiles", content=raw, headers=api_env.a)
    assert res.status_code == 202, res.text
    pid = res.json()["profile_id"]
    assert pid != "TB-legacy-1"
    assert api_env.store.load_profile(pid).profile.reference == "TB-legacy-1"


def test_put_replaces_with_a_new_revision_and_job(api_env: ApiEnv) -> None:
    """PUT stores revision 2 of the board's profile and queues a new match job; a body without
    a reference keeps the stored one."""
    first = api_env.create("TB-put")
    pid = first["profile_id"]
    queued = api_env.queue_length()
    body = json.loads(example_json("TB-put", weight_kg=50))
    body.pop("reference")
    res = api_env.client.put(f"/v1/profiles/{pid}", content=json.dumps(body), headers=api_env.a)
    assert res.status_code == 202, res.text
    assert res.json()["profile_id"] == pid
    assert res.json()["revision"] == 2
    assert res.json()["job_id"] != first["job_id"]
    assert api_env.queue_length() == queued + 1
    stored = api_env.client.get(f"/v1/profiles/{pid}", headers=api_env.a).json()
    assert stored["profile"]["weight_kg"] == 50
    assert stored["profile"]["reference"] == "TB-put"


def test_put_may_move_to_a_free_reference_only(api_env: ApiEnv) -> None:
    """PUT with a new reference frees the old one; a reference held by another of the board's
    profiles answers 409 and changes nothing."""
    one = api_env.create("TB-move-a")["profile_id"]
    api_env.create("TB-move-b")
    res = api_env.client.put(
        f"/v1/profiles/{one}", content=example_json("TB-move-b"), headers=api_env.a
    )
    assert res.status_code == 409
    assert api_env.store.load_profile(one).revision == 1
    res = api_env.client.put(
        f"/v1/profiles/{one}", content=example_json("TB-move-c"), headers=api_env.a
    )
    assert res.status_code == 202
    assert api_env.store.load_profile(one).profile.reference == "TB-move-c"
    freed = api_env.create("TB-move-a")  # the old reference is free again
    assert freed["profile_id"] != one


def test_put_of_a_missing_or_foreign_profile_is_404(api_env: ApiEnv) -> None:
    """PUT replaces only the board's own profiles: an unknown id or another board's id answers
    404 and nothing is created or changed."""
    res = api_env.client.put(
        "/v1/profiles/p_000000000000000000000000", content=example_json("TB-never"),
        headers=api_env.a,
    )  # fmt: skip
    assert res.status_code == 404
    assert not api_env.store.profile_exists("p_000000000000000000000000")
    theirs = api_env.create("TB-foreign", headers=api_env.b)["profile_id"]
    res = api_env.client.put(
        f"/v1/profiles/{theirs}", content=example_json("TB-foreign"), headers=api_env.a
    )
    assert res.status_code == 404
    stored = api_env.store.load_profile(theirs)
    assert (stored.board_id, stored.revision) == ("board-b", 1)


def test_delete_leaves_no_key_about_the_profile(api_env: ApiEnv) -> None:
    """DELETE erases profile, matches, meta, seq, changes, review marker, the board's answers,
    jobs (re-match jobs too) and the reference entry: no key names it, the reference is free."""
    sub = api_env.create("TB-erase")
    pid = sub["profile_id"]
    api_env.client.put(f"/v1/profiles/{pid}", content=example_json("TB-erase"), headers=api_env.a)
    store_run(api_env, sample_run(pid))
    push_change(api_env, pid, datetime.now(UTC), "new_trial", "NCT01000001", "opened")
    api_env.store.count_delivery(sub["job_id"], 0, guard_key=api_env.store.keys.job(sub["job_id"]))
    # What the scheduler keeps about a profile (normally written by a match run / re-match).
    query = SearchQuery(("synovial sarcoma",), ("RECRUITING",))
    register_profile_query(api_env.store, pid, query, date.today() + timedelta(days=30))
    claim_rematch(api_env.store, pid, "2026-W48", ttl_s=600)
    start_rematch(api_env.store, pid, "2026-W48", "task-1", ttl_s=600)
    assert api_env.client.post(f"/v1/profiles/{pid}/reviewed", headers=api_env.a).is_success
    key = criterion_key("inclusion", "Adequate cardiac function")
    answer_url = f"/v1/profiles/{pid}/answers/NCT01000002/{key}"
    res = api_env.client.put(answer_url, json={"answer": "met", "note": "echo normal"},
                             headers=api_env.a)  # fmt: skip
    assert res.status_code == 202, res.text
    rematch_job = res.json()["job_id"]
    assert api_env.store.r.exists(api_env.store.keys.answers(pid))
    named = [k for k in api_env.store.r.scan_iter("*") if pid in k or sub["job_id"] in k]
    assert len(named) >= 8, named
    ref_key = api_env.store.keys.reference("board-a", "TB-erase")
    assert api_env.store.r.get(ref_key) == pid

    res = api_env.client.delete(f"/v1/profiles/{pid}", headers=api_env.a)
    assert res.status_code == 200, res.text
    assert res.json()["deleted_keys"] >= len(named)
    left = [k for k in api_env.store.r.scan_iter("*") if pid in k or sub["job_id"] in k]
    assert left == []
    assert not api_env.store.r.exists(api_env.store.keys.job(rematch_job))
    assert not api_env.store.r.exists(ref_key)
    keys = api_env.store.keys
    assert api_env.store.r.zscore(keys.profiles_index(), pid) is None
    assert api_env.store.r.zscore(keys.recheck(), pid) is None
    assert not api_env.store.r.sismember(keys.query_profiles(query.cache_key()), pid)
    for url in (f"/v1/profiles/{pid}", f"/v1/profiles/{pid}/matches",
                f"/v1/jobs/{sub['job_id']}", f"/v1/profiles/{pid}/report"):  # fmt: skip
        assert api_env.client.get(url, headers=api_env.a).status_code == 404, url
    assert api_env.client.delete(f"/v1/profiles/{pid}", headers=api_env.a).status_code == 404
    assert api_env.create("TB-erase")["profile_id"] != pid


def test_erase_profile_is_idempotent(api_env: ApiEnv) -> None:
    """erase_profile counts the keys it deleted and deletes nothing the second time."""
    pid = api_env.create("TB-erase-twice")["profile_id"]
    assert erase_profile(api_env.store, pid) >= 3
    assert erase_profile(api_env.store, pid) == 0


def test_concurrent_posts_of_one_reference_create_it_once_per_board(api_env: ApiEnv) -> None:
    """Eight simultaneous POSTs of one new reference, four per board: each board gets exactly
    one 202 (its own profile) and 409s; neither board blocks the other."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    def post(headers: dict[str, str]) -> tuple[str, int]:
        with TestClient(api_env.app) as client:
            res = client.post("/v1/profiles", content=example_json("TB-race"), headers=headers)
            return headers["Authorization"], res.status_code

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, [api_env.a, api_env.b] * 4))
    for headers in (api_env.a, api_env.b):
        codes = sorted(code for who, code in results if who == headers["Authorization"])
        assert codes == [202, 409, 409, 409]


def test_old_assessment_is_accepted_with_a_warning(api_env: ApiEnv) -> None:
    """An assessment older than the configured age is accepted (202) with a warning naming
    `assessed_on`; a fresh one gets none; a therapy after the assessment is a 422 by field."""
    old = (date.today() - timedelta(days=api_env.settings.assessment_max_age_days + 30)).isoformat()
    res = api_env.client.post(
        "/v1/profiles", content=example_json("TB-old-1", assessed_on=old), headers=api_env.a
    )
    assert res.status_code == 202, res.text
    [warning] = res.json()["warnings"]
    assert warning.startswith("assessed_on is 120 days before the evaluation date (more than 90)")
    assert api_env.create("TB-fresh-1")["warnings"] == []
    late = [{"agent": "ifosfamide", "ended_on": date.today().isoformat()}]
    body = example_json("TB-late-1", assessed_on=old, prior_therapies=late)
    res = api_env.client.post("/v1/profiles", content=body, headers=api_env.a)
    assert res.status_code == 422
    assert [d["field"] for d in res.json()["detail"]] == ["prior_therapies.0.ended_on"]


def test_submission_warns_about_a_diagnosis_the_vocabulary_does_not_know(api_env: ApiEnv) -> None:
    """POST of "synovial sarcoam" (a typo) is accepted with a warning naming it; a known
    diagnosis gets no warning."""
    typo = example_json("TB-typo", diagnosis="synovial sarcoam")
    res = api_env.client.post("/v1/profiles", content=typo, headers=api_env.a)
    assert res.status_code == 202, res.text
    assert any("synovial sarcoam" in w for w in res.json()["warnings"])
    assert api_env.create("TB-known")["warnings"] == []
