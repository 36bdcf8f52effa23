"""Unreadable stored data, through a real worker (issue 11, findings 12 and 13).

A stored record that no longer validates must not leak its values (job reason, worker log) and
must not poison every later run: a corrupt match entry is quarantined (logged by id, left out)
and rebuilt by the next run. The corrupting values are constructed canaries, not patient data.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.faults.conftest import REGISTRY, FaultStack, StackFactory, record, wait_until
from tests.support.procs import REPO

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CANARY = "Canary-Value-7731"


def _corrupt_entry(stack: FaultStack, profile_id: str, nct_id: str) -> None:
    stack.store.r.hset(stack.store.keys.matches(profile_id), nct_id, '{"title": "' + CANARY + '"}')


@pytest.mark.timeout(90)
def test_unreadable_stored_profile_fails_job_with_fields_never_values(
    make_stack: StackFactory,
) -> None:
    """The job reason and worker log name the error class and field paths, never the values."""
    stack = make_stack()
    sub = stack.submit("D-profile")
    key = stack.store.keys.profile(sub.profile_id)
    stored = json.loads(stack.store.r.get(key))
    stored["profile"]["sex"] = CANARY
    stored["profile"]["diagnosis"] = {"text": CANARY}
    stack.store.r.set(key, json.dumps(stored), keepttl=True)
    stack.start_worker()
    job = stack.wait_job(sub.job_id, timeout=45)
    assert job["status"] == "failed", job
    assert job["reason"].startswith("StoredRecordUnreadable:"), job
    assert "profile.sex" in job["reason"]
    assert "profile.diagnosis" in job["reason"]
    assert CANARY not in job["reason"]
    assert CANARY not in stack.logs()
    assert "ValidationError" not in stack.logs()


@pytest.mark.timeout(90)
def test_corrupt_match_entry_is_quarantined_and_rebuilt_by_the_next_run(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A corrupt entry does not fail the next match: it is logged by id, dropped and rebuilt."""
    stack = make_stack()
    stack.start_worker()
    stack.matched("D-entry")
    pid = stack.pid("D-entry")
    _corrupt_entry(stack, pid, REGISTRY[0])
    again = stack.submit("D-entry")
    job = stack.wait_job(again.job_id, timeout=45)
    assert job["status"] == "done", job
    assert stack.hlen("D-entry") == clean_count
    run = stack.store.read_matches(pid)
    assert run is not None
    assert REGISTRY[0] in {m.nct_id for m in run.results}  # rebuilt, and readable
    logs = stack.logs()
    assert f"quarantined corrupt match entry profile_id={pid} nct_id={REGISTRY[0]}" in logs
    assert CANARY not in logs


@pytest.mark.timeout(90)
def test_cli_matches_shows_the_readable_entries_of_a_partly_corrupt_set(
    make_stack: StackFactory, clean_count: int
) -> None:
    """`trialmatch matches` exits 0 without a traceback, leaving out (and logging) the bad entry."""
    stack = make_stack()
    stack.start_worker()
    stack.matched("D-cli")
    pid = stack.pid("D-cli")
    _corrupt_entry(stack, pid, REGISTRY[1])
    out = subprocess.run(
        [sys.executable, "-m", "cli.main", "matches", pid, "--json"],
        env=stack.env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert CANARY not in out.stdout + out.stderr
    shown = {m["nct_id"] for m in json.loads(out.stdout)["results"]}
    assert len(shown) == clean_count - 1
    assert REGISTRY[1] not in shown
    assert f"profile_id={pid} nct_id={REGISTRY[1]}" in out.stderr


@pytest.mark.timeout(120)
def test_sync_survives_a_corrupt_entry_and_rematches_that_profile(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A sync that meets a corrupt entry does not crash; the profile is re-matched and rebuilt."""
    stack = make_stack()
    stack.start_worker()
    stack.matched("D-sync")
    stack.matched("D-sync-other")
    _corrupt_entry(stack, stack.pid("D-sync"), REGISTRY[2])
    # New registry data: the sync compares stored verdicts of changed trials for every profile.
    # A changed trial is one whose content moved (the corpus keys trials by content hash), so
    # the constructed edit amends the title as well as the update date.
    amended = record(REGISTRY[2], updated="2026-02-01")
    amended["protocolSection"]["identificationModule"]["officialTitle"] += " (amended)"
    stack.write_registry(REGISTRY[2], amended)
    stack.new_data_version("v2")
    before = stack.seq("D-sync")
    sync = stack.app.send_task("trialmatch.sync_and_rematch")
    ends = (f"[{sync.id}] succeeded", f"[{sync.id}] raised")
    wait_until(lambda: any(e in stack.logs() for e in ends), 45, "sync ended")
    assert ends[0] in stack.logs(), stack.logs()
    wait_until(lambda: stack.seq("D-sync") > before, 45, "D-sync re-matched")
    wait_until(lambda: stack.hlen("D-sync") == clean_count, 15, "entry rebuilt")
    run = stack.store.read_matches(stack.pid("D-sync"))
    assert run is not None
    assert REGISTRY[2] in {m.nct_id for m in run.results}
    assert CANARY not in stack.logs()
