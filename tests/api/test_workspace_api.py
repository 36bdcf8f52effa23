"""GET /v1/profiles (the workspace's list) and GET .../facts over a stored run (no worker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.conftest import ApiEnv, push_change, sample_run, store_run


def test_the_board_lists_only_its_profiles_with_what_is_new_since_review(api_env: ApiEnv) -> None:
    """Each board sees its own profiles only; `new_since_review` counts change-log entries after
    the last review and drops to 0 once the profile is marked reviewed; erased ones vanish."""
    mine = api_env.create("TB-list-1")["profile_id"]
    pending = api_env.create("TB-list-2")["profile_id"]
    theirs = api_env.create("TB-list-3", headers=api_env.b)["profile_id"]
    store_run(api_env, sample_run(mine))
    push_change(api_env, mine, datetime.now(UTC) - timedelta(hours=1), "new_trial",
                "NCT01000002", "opened")  # fmt: skip
    rows = {r["profile_id"]: r for r in api_env.client.get("/v1/profiles", headers=api_env.a)
            .json()["profiles"]}  # fmt: skip
    assert mine in rows
    assert pending in rows
    assert theirs not in rows
    assert rows[mine]["matched"] is True
    assert rows[mine]["verdicts"] == {"eligible": 1, "possibly_eligible": 1, "ineligible": 1}
    assert rows[mine]["facts_to_collect"] == 1  # the cardiac function question
    assert rows[mine]["new_since_review"] == 1
    assert rows[mine]["last_meeting"] is None
    assert rows[pending]["matched"] is False
    assert api_env.client.post(f"/v1/profiles/{mine}/reviewed", headers=api_env.a).is_success
    again = {r["profile_id"]: r for r in api_env.client.get("/v1/profiles", headers=api_env.a)
             .json()["profiles"]}  # fmt: skip
    assert again[mine]["new_since_review"] == 0
    assert again[mine]["last_meeting"] == datetime.now(UTC).date().isoformat()
    api_env.client.delete(f"/v1/profiles/{pending}", headers=api_env.a)
    after = api_env.client.get("/v1/profiles", headers=api_env.a).json()["profiles"]
    assert pending not in {r["profile_id"] for r in after}
    board_set = api_env.store.keys.board_profiles("board-a")
    assert not api_env.store.r.sismember(board_set, pending)


def test_facts_endpoint_merges_open_questions_of_candidates(api_env: ApiEnv) -> None:
    """GET .../facts lists each open question of the candidate trials once with its trials,
    equals the matches response's facts_to_collect, and says pending before a run."""
    pid = api_env.create("TB-facts-1")["profile_id"]
    before = api_env.client.get(f"/v1/profiles/{pid}/facts", headers=api_env.a).json()
    assert before["pending"] is True
    assert before["facts"] == []
    store_run(api_env, sample_run(pid))
    body = api_env.client.get(f"/v1/profiles/{pid}/facts", headers=api_env.a).json()
    assert [f["trials"] for f in body["facts"]] == [["NCT01000002"]]
    assert body["to_verify_lines"] == 1
    matches = api_env.client.get(f"/v1/profiles/{pid}/matches", headers=api_env.a).json()
    assert matches["facts_to_collect"] == body["facts"]
    assert api_env.client.get(f"/v1/profiles/{pid}/facts", headers=api_env.b).status_code == 404
