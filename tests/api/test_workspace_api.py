"""GET /v1/profiles (the workspace's list) and GET .../facts over a stored run (no worker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import ApiEnv, push_change, sample_run, store_run


def test_the_board_lists_only_its_profiles_with_what_is_new_since_review(api_env: ApiEnv) -> None:
    """Each board sees its own profiles only, with its latest job's status; `new_since_review`
    counts change-log entries after the last review and drops to 0 once the profile is marked
    reviewed; erased ones vanish."""
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
    assert rows[pending]["job_status"] == "queued"  # no worker in this environment
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


def test_cli_reviewed_and_answer_errors(
    api_env: ApiEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`trialmatch reviewed` records the meeting for the owning board only (another board: exit
    1, not found); `answer` with a bad note or key exits 2 naming the option or field and
    writes nothing."""
    from cli.main import main
    from matcher.domain.models.match import criterion_key
    from matcher.settings import get_settings

    monkeypatch.setenv("TRIALMATCH_REDIS_URL", api_env.server.url)
    get_settings.cache_clear()
    try:
        pid = api_env.create("TB-cli-loop")["profile_id"]
        store_run(api_env, sample_run(pid))
        day = (datetime.now(UTC) - timedelta(days=2)).date()
        assert main(["reviewed", pid, "--board", "board-b"]) == 1
        assert "not found" in capsys.readouterr().err
        assert main(["reviewed", pid, "--board", "board-a", "--meeting-date", str(day)]) == 0
        assert f"meeting of {day}" in capsys.readouterr().out
        review = api_env.store.last_review(pid)
        assert review is not None
        assert review[1] == day
        key = criterion_key("inclusion", "Adequate cardiac function")
        base = ["answer", pid, "NCT01000002", key, "met", "--board", "board-a"]
        assert main([*base, "--note", "x" * 121]) == 2
        assert "--note" in capsys.readouterr().err
        assert main(["answer", pid, "NCT01000002", "nothex", "met", "--board", "board-a"]) == 2
        assert "criterion_key" in capsys.readouterr().err
        assert not api_env.store.r.exists(api_env.store.keys.answers(pid))
    finally:
        get_settings.cache_clear()
