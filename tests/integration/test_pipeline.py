"""The whole pipeline through a real redis-server and a real Celery worker subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from matcher.errors import InvalidProfile
from tests.integration.conftest import Stack
from tests.support.procs import REPO, SNAPSHOT

pytestmark = pytest.mark.integration

EXAMPLE = REPO / "examples" / "synovial-pulmonary.json"


def _profile(profile_id: str, **changes: object) -> str:
    body = json.loads(EXAMPLE.read_text())
    body.update(profile_id=profile_id, **changes)
    return json.dumps(body)


def _data_keys(stack: Stack) -> set[str]:
    """Every key except the broker's own bookkeeping (kombu sweeps touch those at any time)."""
    broker = f"{stack.settings.key_prefix}q:"
    return {k for k in stack.store.r.scan_iter("*") if not k.startswith(broker)}


def _snapshot_ids() -> set[str]:
    return {p.stem for p in (SNAPSHOT / "records").glob("NCT*.json")}


def test_submit_then_matches_are_readable(stack: Stack) -> None:
    """A submitted profile is matched by the worker; every snapshot trial gets a stored verdict."""
    sub = stack.submit(_profile("IT-submit-1"))
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "done", job
    run = stack.store.read_matches("IT-submit-1")
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
    """Submitting the same profile twice leaves one match set of the same size, revision 2."""
    first = stack.submit(_profile("IT-resubmit"))
    assert stack.wait_job(first.job_id)["status"] == "done"
    key = stack.store.keys.matches("IT-resubmit")
    size_after_first = stack.store.r.hlen(key)
    second = stack.submit(_profile("IT-resubmit"))
    assert second.revision == 2
    assert stack.wait_job(second.job_id)["status"] == "done"
    assert stack.store.r.hlen(key) == size_after_first == len(_snapshot_ids())
    assert stack.store.load_profile("IT-resubmit").revision == 2


def test_invalid_profile_names_field_and_enqueues_nothing(stack: Stack) -> None:
    """A profile with a bad field is refused naming it; no key is written and no task queued."""
    before = _data_keys(stack)
    queue_key = f"{stack.settings.key_prefix}q:trialmatch"
    queued_before = stack.store.r.llen(queue_key)
    with pytest.raises(InvalidProfile) as caught:
        stack.submit(_profile("IT-invalid", age_months=-4, patient_name="Jane Roe"))
    fields = {field for field, _ in caught.value.errors}
    assert {"age_months", "patient_name"} <= fields
    assert _data_keys(stack) == before
    assert stack.store.r.llen(queue_key) == queued_before


def test_cli_submit_wait_prints_ranked_matches(stack: Stack, tmp_path: Path) -> None:
    """`trialmatch submit --wait` queues through the broker and prints verdicts with reasons."""
    profile = tmp_path / "p.json"
    profile.write_text(_profile("IT-cli-1"))
    cli = [sys.executable, "-m", "workers.cli"]
    out = subprocess.run(
        [*cli, "submit", str(profile), "--wait", "--limit", "5"],
        env=stack.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "IT-cli-1" in out.stdout
    assert any(v in out.stdout for v in ("ELIGIBLE", "POSSIBLY_ELIGIBLE", "INELIGIBLE"))
    shown = subprocess.run(
        [*cli, "matches", "IT-cli-1", "--json"],
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
    profile.write_text(_profile("IT-cli-bad", sex="unknown"))
    before = _data_keys(stack)
    out = subprocess.run(
        [sys.executable, "-m", "workers.cli", "submit", str(profile)],
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
    sub = stack.submit(_profile("IT-erase"))
    assert stack.wait_job(sub.job_id)["status"] == "done"
    cli = [sys.executable, "-m", "workers.cli", "erase", "IT-erase"]
    out = subprocess.run(cli, env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    leftovers = [k for k in stack.store.r.scan_iter("*") if "IT-erase" in k or sub.job_id in k]
    assert leftovers == []
    again = subprocess.run(cli, env=stack.env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1
    assert "not found" in again.stderr
