"""The board's loop end to end: real Redis, real Celery worker, the HTTP API and the CLI.

Submit, read the facts to collect, answer open questions (API and CLI), see the re-match apply
them (verdict, change log, facts), keep them across a re-match, set one aside when the
criterion's text is not the one answered. The profile is the constructed example profile.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from matcher.domain.models.answer import BoardAnswer
from matcher.domain.models.match import criterion_key
from matcher.services import boards
from matcher.services.board_loop import rematch
from tests.api.conftest import bearer, board_client
from tests.support.procs import REPO
from tests.support.profiles import example_json
from tests.support.stack import Stack

ENGINE_LANDED = importlib.util.find_spec("matcher.domain.eligibility.engine") is not None
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not ENGINE_LANDED, reason="matcher.domain.eligibility.engine has not landed yet"
    ),
]
BOARD = "board-loop"


@pytest.fixture(scope="module")
def live(stack: Stack) -> Iterator[tuple[TestClient, dict[str, str], Stack]]:
    with board_client(stack, BOARD) as live:
        yield live


def _done(stack: Stack, job_id: str) -> None:
    job = stack.wait_job(job_id, timeout=120)
    assert job["status"] == "done", job


def _matches(client: TestClient, headers: dict[str, str], pid: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/v1/profiles/{pid}/matches", headers=headers).json()
    return body


def _trial(body: dict[str, Any], nct: str) -> dict[str, Any]:
    return next(m for m in body["results"] if m["nct_id"] == nct)


def _with_open_questions(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Possibly eligible trials, fewest open questions first."""
    possible = [m for m in body["results"] if m["verdict"] == "possibly_eligible"]
    for m in possible:
        m["open"] = [c for c in m["criteria"] if c["verdict"] == "unknown"]
    return sorted((m for m in possible if m["open"]), key=lambda m: (len(m["open"]), m["nct_id"]))


def test_answers_move_the_verdict_the_facts_and_the_change_log(
    live: tuple[TestClient, dict[str, str], Stack],
) -> None:
    """Answering every open question of a possibly eligible trial (API, then CLI for the last)
    makes it eligible in the worker's re-match, logs the move naming the board answer, takes
    the trial off the facts to collect, and survives a further re-match."""
    client, headers, st = live
    sub = client.post("/v1/profiles", content=example_json("TB-loop-1"), headers=headers).json()
    pid = sub["profile_id"]
    _done(st, sub["job_id"])
    before = _matches(client, headers, pid)
    facts = client.get(f"/v1/profiles/{pid}/facts", headers=headers).json()
    assert facts["facts"] == before["facts_to_collect"]
    assert facts["facts"], "the example profile leaves open questions"
    assert len(facts["facts"]) <= facts["to_verify_lines"]
    target = _with_open_questions(before)[0]
    nct = target["nct_id"]
    assert any(nct in f["trials"] for f in facts["facts"])
    *by_api, last = target["open"]
    job = None
    for crit in by_api:
        url = f"/v1/profiles/{pid}/answers/{nct}/{crit['key']}"
        res = client.put(url, json={"answer": "met", "note": "checked"}, headers=headers)
        assert res.status_code == 202, res.text
        job = res.json()["job_id"]
        assert res.json()["answer"]["board_id"] == BOARD
    if job:
        _done(st, job)
    cli = [sys.executable, "-m", "cli.main", "answer", pid, nct, last["key"], "met",
           "--note", "coordinator checked", "--board", BOARD]  # fmt: skip
    out = subprocess.run(cli, env=st.env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    _done(st, out.stdout.split("queued as job ")[1].split()[0])

    after = _matches(client, headers, pid)
    moved = _trial(after, nct)
    assert moved["verdict"] == "eligible"
    assert moved["to_verify"] == []
    reasons = {c["key"]: c["reason"] for c in moved["criteria"]}
    assert reasons[last["key"]] == "board answer: met — coordinator checked"
    assert all(nct not in f["trials"] for f in after["facts_to_collect"])
    changes = client.get(f"/v1/profiles/{pid}/changes", headers=headers).json()["changes"]
    logged = [c for c in changes if c["nct_id"] == nct and c["kind"] == "verdict_changed"]
    assert logged, changes
    assert "board answer" in logged[-1]["detail"]
    listed = client.get(f"/v1/profiles/{pid}/answers", headers=headers).json()["answers"]
    assert len(listed) == len(target["open"])
    facts_cli = subprocess.run(
        [sys.executable, "-m", "cli.main", "facts", pid, "--json", "--board", BOARD],
        env=st.env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert facts_cli.returncode == 0, facts_cli.stderr
    assert json.loads(facts_cli.stdout) == after["facts_to_collect"]
    report = client.get(f"/v1/profiles/{pid}/report", headers=headers).text
    assert report.index('id="facts"') < report.index('id="summary"')
    assert "coordinator checked" in report

    # kept across a re-match (the board replaces the profile: a new run, same answers)
    res = client.put(f"/v1/profiles/{pid}", content=example_json("TB-loop-1"), headers=headers)
    _done(st, res.json()["job_id"])
    assert _trial(_matches(client, headers, pid), nct)["verdict"] == "eligible"

    # withdrawn: the engine's own reading comes back
    res = client.delete(f"/v1/profiles/{pid}/answers/{nct}/{last['key']}", headers=headers)
    assert res.status_code == 202, res.text
    _done(st, res.json()["job_id"])
    assert _trial(_matches(client, headers, pid), nct)["verdict"] == "possibly_eligible"


def test_an_answer_to_other_wording_is_set_aside_and_logged(
    live: tuple[TestClient, dict[str, str], Stack],
) -> None:
    """An answer recorded against wording the trial no longer has (constructed here by storing
    it under the old text, as if the registry had since reworded the criterion) is not applied;
    the re-match sets it aside and the change log says so."""
    client, headers, st = live
    sub = client.post("/v1/profiles", content=example_json("TB-loop-2"), headers=headers).json()
    pid = sub["profile_id"]
    _done(st, sub["job_id"])
    target = _with_open_questions(_matches(client, headers, pid))[0]
    nct, old_text = target["nct_id"], "Constructed old wording: adequate organ function"
    old = BoardAnswer(
        nct_id=nct, criterion_key=criterion_key("inclusion", old_text), section="inclusion",
        text=old_text, answer="met", board_id=BOARD, answered_at=datetime.now(UTC),
        trial_version="constructed-older-version",
    )  # fmt: skip
    st.store.put_answer(pid, old, st.store.load_profile(pid).expires_at)
    _done(st, rematch(st.store, pid, BOARD, st.publish))
    assert _trial(_matches(client, headers, pid), nct)["verdict"] == target["verdict"]
    changes = client.get(f"/v1/profiles/{pid}/changes", headers=headers).json()["changes"]
    assert [c["kind"] for c in changes if c["nct_id"] == nct] == ["answer_set_aside"]
    detail = next(c["detail"] for c in changes if c["nct_id"] == nct)
    assert "changed in the registry (record version constructed-older-version ->" in detail
    listed = client.get(f"/v1/profiles/{pid}/answers", headers=headers).json()["answers"]
    assert listed[0]["set_aside_at"] is not None
    assert "set aside" in client.get(f"/v1/profiles/{pid}/report", headers=headers).text


def test_bad_answers_name_the_field_and_write_nothing(
    live: tuple[TestClient, dict[str, str], Stack],
) -> None:
    """A bad value, an over-long or invisible-character note, a malformed key, an unknown
    criterion and another board's profile are refused; no answer or job is written."""
    client, headers, st = live
    sub = client.post("/v1/profiles", content=example_json("TB-loop-3"), headers=headers).json()
    pid = sub["profile_id"]
    _done(st, sub["job_id"])
    target = _with_open_questions(_matches(client, headers, pid))[0]
    url = f"/v1/profiles/{pid}/answers/{target['nct_id']}/{target['open'][0]['key']}"
    jobs_before = st.store.members_str(st.store.keys.profile_jobs(pid))
    cases = [
        (url, {"answer": "maybe"}, 422, "answer"),
        (url, {"answer": "met", "note": "x" * 121}, 422, "note"),
        (url, {"answer": "met", "note": "ok\u200bhidden"}, 422, "note"),
        (url, {"answer": "met", "extra": 1}, 422, "extra"),
        (f"/v1/profiles/{pid}/answers/NCT1/abc", {"answer": "met"}, 422, "nct_id"),
        (f"/v1/profiles/{pid}/answers/{target['nct_id']}/{'0' * 16}", {"answer": "met"}, 404, ""),
    ]
    for where, body, code, field in cases:
        res = client.put(where, json=body, headers=headers)
        assert res.status_code == code, (body, res.text)
        assert field in res.text
    other = bearer(boards.create_key(st.store, "board-other").token)
    assert client.put(url, json={"answer": "met"}, headers=other).status_code == 404
    assert not st.store.r.exists(st.store.keys.answers(pid))
    assert st.store.members_str(st.store.keys.profile_jobs(pid)) == jobs_before


def test_an_answer_note_stays_in_the_profiles_keys_and_goes_with_it(
    live: tuple[TestClient, dict[str, str], Stack],
) -> None:
    """A note (a canary here) is stored only in the profile's own answers, matches and change
    log, never in a key name, a broker message or the worker's log, and erasure removes it."""
    client, headers, st = live
    canary = "Zebulon Quixote-Canary note"
    sub = client.post("/v1/profiles", content=example_json("TB-loop-4"), headers=headers).json()
    pid = sub["profile_id"]
    _done(st, sub["job_id"])
    target = _with_open_questions(_matches(client, headers, pid))[0]
    url = f"/v1/profiles/{pid}/answers/{target['nct_id']}/{target['open'][0]['key']}"
    res = client.put(url, json={"answer": "not_met", "note": canary}, headers=headers)
    assert res.status_code == 202, res.text
    _done(st, res.json()["job_id"])
    changes = client.get(f"/v1/profiles/{pid}/changes", headers=headers).json()["changes"]
    assert any(canary in str(c["detail"]) for c in changes)  # the move names the answer

    def holding() -> set[str]:
        found = set()
        for key in st.store.r.scan_iter("*"):
            assert canary not in key
            kind = st.store.r.type(key)
            dump = {
                "string": lambda k: st.store.r.get(k),
                "hash": lambda k: st.store.r.hgetall(k),
                "list": lambda k: st.store.r.lrange(k, 0, -1),
                "set": lambda k: st.store.r.smembers(k),
                "zset": lambda k: st.store.r.zrange(k, 0, -1),
            }.get(kind, lambda k: "")(key)
            if canary in str(dump):
                found.add(key)
        return found

    keys = st.store.keys
    assert holding() == {keys.answers(pid), keys.matches(pid), keys.changes(pid)}
    assert canary not in st.worker.log()
    assert client.delete(f"/v1/profiles/{pid}", headers=headers).status_code == 200
    assert holding() == set()
