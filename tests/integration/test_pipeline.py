"""The whole pipeline through a real redis-server and a real Celery worker subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from matcher.errors import InvalidProfile
from matcher.services.submission import submit_json
from tests.support.procs import REPO, SNAPSHOT
from tests.support.profiles import example_json
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


def _cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _data_keys(stack: Stack) -> set[str]:
    """Every key except the broker's own bookkeeping (kombu sweeps touch those at any time)."""
    broker = f"{stack.settings.key_prefix}q:"
    return {k for k in stack.store.r.scan_iter("*") if not k.startswith(broker)}


def _snapshot_ids() -> set[str]:
    return {p.stem for p in (SNAPSHOT / "records").glob("NCT*.json")}


def test_submit_then_matches_are_readable(stack: Stack) -> None:
    """A submitted profile is matched by the worker; every snapshot trial gets a stored verdict."""
    sub = stack.submit(example_json("IT-submit-1"))
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "done", job
    run = stack.store.read_matches(sub.profile_id)
    assert run is not None
    assert {m.nct_id for m in run.results} == _snapshot_ids()
    scores = [m.score for m in run.results]
    assert scores == sorted(scores, reverse=True)
    for m in run.results:
        assert m.criteria, m.nct_id
        assert all(c.reason for c in m.criteria)
        if m.verdict == "ineligible":
            assert m.decisive, f"{m.nct_id} excluded without a decisive reason"


def test_resubmission_replaces_and_never_duplicates(stack: Stack) -> None:
    """Replacing a profile by its id leaves one match set of the same size, revision 2."""
    first = stack.submit(example_json("IT-resubmit"))
    assert stack.wait_job(first.job_id)["status"] == "done"
    key = stack.store.keys.matches(first.profile_id)
    size_after_first = stack.store.r.hlen(key)
    second = submit_json(
        stack.store, example_json("IT-resubmit"), publish=stack.publish, retention_days=30,
        replace_id=first.profile_id,
    )  # fmt: skip
    assert (second.profile_id, second.revision) == (first.profile_id, 2)
    assert stack.wait_job(second.job_id)["status"] == "done"
    assert stack.store.r.hlen(key) == size_after_first == len(_snapshot_ids())
    assert stack.store.load_profile(first.profile_id).revision == 2


def test_invalid_profile_names_field_and_enqueues_nothing(stack: Stack) -> None:
    """A profile with a bad field is refused naming it; no key is written and no task queued."""
    before = _data_keys(stack)
    queue_key = f"{stack.settings.key_prefix}q:trialmatch"
    queued_before = stack.store.r.llen(queue_key)
    with pytest.raises(InvalidProfile) as caught:
        stack.submit(example_json("IT-invalid", age_months=-4, patient_name="Jane Roe"))
    fields = {field for field, _ in caught.value.errors}
    assert {"age_months", "patient_name"} <= fields
    assert _data_keys(stack) == before
    assert stack.store.r.llen(queue_key) == queued_before


def test_cli_submit_wait_prints_ranked_matches(stack: Stack, tmp_path: Path) -> None:
    """`trialmatch submit --wait` queues through the broker and prints verdicts with reasons."""
    profile = tmp_path / "p.json"
    profile.write_text(example_json("IT-cli-1"))
    cli = [sys.executable, "-m", "cli.main"]
    out = subprocess.run(
        [*cli, "submit", str(profile), "--wait", "--limit", "5"],
        env=stack.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    pid = re.search(r"submitted profile (p_[0-9a-f]{24}) ", out.stdout)
    assert pid, out.stdout
    assert "IT-cli-1" not in out.stdout + out.stderr  # the reference is never printed back
    # A ranked line: rank, one whole verdict label, score, NCT id ("ELIGIBLE" alone would also
    # be found inside the other two labels).
    ranked = r"^\s*\d+\. (ELIGIBLE|POSSIBLY_ELIGIBLE|INELIGIBLE) +-?\d+\.\d{2}  NCT\d{8}\b"
    assert re.search(ranked, out.stdout, re.MULTILINE), out.stdout
    shown = subprocess.run(
        [*cli, "matches", pid.group(1), "--json"],
        env=stack.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert len(json.loads(shown.stdout)["results"]) == len(_snapshot_ids())


def test_cli_rejects_invalid_profile_with_exit_2(stack: Stack, tmp_path: Path) -> None:
    """The CLI names the bad field on stderr, exits 2, and nothing reaches Redis."""
    profile = tmp_path / "bad.json"
    profile.write_text(example_json("IT-cli-bad", sex="unknown"))
    before = _data_keys(stack)
    out = subprocess.run(
        [sys.executable, "-m", "cli.main", "submit", str(profile)],
        env=stack.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert "sex" in out.stderr
    assert _data_keys(stack) == before


def test_cli_erase_leaves_nothing_about_the_profile(stack: Stack) -> None:
    """`trialmatch erase` removes every key naming the profile or its jobs; again: not found."""
    sub = stack.submit(example_json("IT-erase"))
    assert stack.wait_job(sub.job_id)["status"] == "done"
    cli = [sys.executable, "-m", "cli.main", "erase", sub.profile_id]
    out = subprocess.run(cli, env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    pid = sub.profile_id
    leftovers = [k for k in stack.store.r.scan_iter("*") if pid in k or sub.job_id in k]
    assert leftovers == []
    again = subprocess.run(cli, env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1
    assert "not found" in again.stderr


def test_cli_submit_has_the_api_semantics(stack: Stack, tmp_path: Path) -> None:
    """`trialmatch submit` of a reference its board already uses is refused (exit 2, the API's
    409 message naming the existing profile) and changes nothing: no silent replace, no move to
    another board. `--replace ID` stores a new revision for the owning board only."""
    first = submit_json(
        stack.store, example_json("IT-cli-same"), board_id="board-x", publish=stack.publish,
        retention_days=30,
    )  # fmt: skip
    assert stack.wait_job(first.job_id)["status"] == "done"
    profile = tmp_path / "same.json"
    profile.write_text(example_json("IT-cli-same", weight_kg=40))
    before = _data_keys(stack)
    again = _cli(stack, "submit", str(profile), "--board", "board-x")
    assert again.returncode == 2, again.stderr
    assert f"already used by your profile {first.profile_id}" in again.stderr
    assert _data_keys(stack) == before
    stored = stack.store.load_profile(first.profile_id)
    assert (stored.board_id, stored.revision, stored.profile.weight_kg) == ("board-x", 1, 52)
    # Another board (the CLI's default one) is not blocked by board-x's reference.
    other = _cli(stack, "submit", str(profile))
    assert other.returncode == 0, other.stderr
    assert first.profile_id not in other.stdout
    # Replacing needs the owning board; for any other board the id does not exist.
    foreign = _cli(stack, "submit", str(profile), "--replace", first.profile_id)
    assert foreign.returncode == 1
    assert "not found" in foreign.stderr
    assert stack.store.load_profile(first.profile_id).revision == 1
    mine = _cli(stack, "submit", str(profile), "--board", "board-x", "--replace", first.profile_id)
    assert mine.returncode == 0, mine.stderr
    assert f"submitted profile {first.profile_id} (revision 2)" in mine.stdout
    stored = stack.store.load_profile(first.profile_id)
    assert (stored.board_id, stored.revision, stored.profile.weight_kg) == ("board-x", 2, 40)


def test_worker_run_on_an_old_assessment_carries_the_warning(stack: Stack) -> None:
    """A profile assessed 100 days ago is matched by the worker with the age warning stored in
    its match run; a profile assessed today has none."""
    old = (date.today() - timedelta(days=100)).isoformat()
    sub = stack.submit(example_json("IT-old-1", assessed_on=old))
    assert stack.wait_job(sub.job_id)["status"] == "done"
    run = stack.store.read_matches(sub.profile_id)
    assert run is not None
    [warning] = run.warnings
    assert warning.startswith("assessed_on is 100 days before the evaluation date")
    fresh = stack.submit(example_json("IT-fresh-1"))
    assert stack.wait_job(fresh.job_id)["status"] == "done"
    fresh_run = stack.store.read_matches(fresh.profile_id)
    assert fresh_run is not None
    assert fresh_run.warnings == []
