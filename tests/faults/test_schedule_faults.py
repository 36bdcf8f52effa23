"""Two schedulers firing at once, or one firing twice per period (checklist items 14-15).

Beat's own docs demand a single scheduler; trialmatch layers a sync lock, an enqueue-side claim per
(profile, period) and a consumer-side start marker on top. These tests fire the sync task the way
two beats would (twice at once, then again in the same period) through a real worker and count
re-match runs by the match meta `seq` and the per-period claim keys.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.faults.conftest import REGISTRY, FaultStack, StackFactory, record, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROFILES = ("S-one", "S-two")


def _sync(stack: FaultStack) -> None:
    stack.app.send_task("trialmatch.sync_and_rematch")


def _settled(stack: FaultStack) -> bool:
    return stack.queue_len() == 0 and stack.unacked() == 0


def _wait_settled(stack: FaultStack) -> None:
    """The broker holds nothing and stays so for a moment (no late re-match arrives)."""
    wait_until(lambda: _settled(stack), 30, "broker drained")
    time.sleep(1.5)
    wait_until(lambda: _settled(stack), 30, "broker drained")


def _claims(stack: FaultStack) -> list[str]:
    return sorted(stack.store.r.scan_iter(stack.store.keys.prefix + "rematch:*:enqueued"))


@pytest.mark.timeout(120)
def test_two_schedulers_and_a_repeat_rematch_each_profile_once_per_period(
    make_stack: StackFactory,
) -> None:
    """Two syncs at once and a third in the same period re-match each affected profile once."""
    stack = make_stack(latency_s=1)
    stack.start_worker(concurrency=2)
    for pid in PROFILES:
        stack.matched(pid)
    _sync(stack)  # the first sync learns the data version; nothing a board sees has moved
    wait_until(
        lambda: stack.store.r.hget(stack.store.keys.sync_state(), "data_version") == "v1",
        30,
        "first sync",
    )
    _wait_settled(stack)
    seqs = {pid: stack.seq(pid) for pid in PROFILES}

    # The basket trial both profiles fit closes: a change each board must see, once.
    today = datetime.now(UTC).date().isoformat()
    stack.write_registry(REGISTRY[0], record(REGISTRY[0], status="SUSPENDED", updated=today))
    stack.stub.data_version = "v2"
    _sync(stack)
    _sync(stack)  # a second beat's tick in the same instant
    wait_until(lambda: all(stack.seq(p) > seqs[p] for p in PROFILES), 45, "re-matches ran")
    _wait_settled(stack)
    assert {p: stack.seq(p) - seqs[p] for p in PROFILES} == dict.fromkeys(PROFILES, 1)
    assert "sync skipped: another sync holds the lock" in stack.logs()
    claims = _claims(stack)
    assert len(claims) == len(PROFILES), claims

    # A late or duplicated tick in the same period, with both profiles also due by date.
    stack.store.r.zadd(stack.store.keys.recheck(), dict.fromkeys(map(stack.pid, PROFILES), 0))
    _sync(stack)
    time.sleep(3)  # the /version answer alone takes the stub's 1 s latency
    _wait_settled(stack)
    assert {p: stack.seq(p) - seqs[p] for p in PROFILES} == dict.fromkeys(PROFILES, 1)
    assert _claims(stack) == claims
    for pid in PROFILES:
        assert stack.hlen(pid) == len(REGISTRY)


@pytest.mark.timeout(60)
def test_duplicate_rematch_messages_for_one_period_run_once(make_stack: StackFactory) -> None:
    """Two re-match messages for the same (profile, period) produce a single run."""
    stack = make_stack(latency_s=0.5)
    stack.start_worker(concurrency=2)
    stack.matched("S-dup")
    before = stack.seq("S-dup")
    stack.new_data_version("v2")  # the re-run must search again: both messages overlap
    for _ in range(2):
        stack.app.send_task("trialmatch.rematch_profile", args=[stack.pid("S-dup"), "test-period"])
    wait_until(lambda: stack.seq("S-dup") > before, 30, "the re-match ran")
    _wait_settled(stack)
    assert stack.seq("S-dup") - before == 1
    assert stack.run_seq("S-dup") - before == 1  # the duplicate never even started a run
    assert stack.hlen("S-dup") == len(REGISTRY)
