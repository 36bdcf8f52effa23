"""A ClinicalTrials.gov answer trickling one byte every two seconds (issue 11, finding 14).

httpx's timeouts are per socket read, so a trickle never trips them; the client's overall
per-request deadline must end each attempt, retry it as transient (UpstreamTooSlow, a
RetryableUpstreamError) and give a clear reason. Real HTTP on loopback (tests/support/trickle.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Literal

import pytest

from matcher.adapters.ctgov.client import CtgovClient
from matcher.errors import RetryableUpstreamError, UpstreamTooSlow
from tests.faults.conftest import FaultStack, StackFactory
from tests.support.trickle import TrickleServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def trickle(request: pytest.FixtureRequest) -> Iterator[TrickleServer]:
    part: Literal["headers", "body", "none"] = request.param
    server = TrickleServer(interval_s=2.0, part=part)
    yield server
    server.close()


def _client(url: str) -> CtgovClient:
    return CtgovClient(
        base_url=url, read_timeout_s=30, request_deadline_s=3, max_attempts=2, retry_total_s=10
    )


@pytest.mark.timeout(40)
@pytest.mark.parametrize("trickle", ["body", "headers"], indirect=True)
def test_trickling_answer_is_cut_at_the_deadline_and_retried(trickle: TrickleServer) -> None:
    """Each attempt ends at the 3 s deadline, is retried once, then fails as UpstreamTooSlow."""
    started = time.monotonic()
    with _client(trickle.url) as client, pytest.raises(UpstreamTooSlow) as caught:
        client.data_version()
    elapsed = time.monotonic() - started
    assert isinstance(caught.value, RetryableUpstreamError)
    assert "3 s request deadline" in str(caught.value)
    assert trickle.requests == 2  # retried in-process as transient
    assert elapsed < 12, f"took {elapsed:.1f}s"


@pytest.mark.timeout(20)
@pytest.mark.parametrize("trickle", ["none"], indirect=True)
def test_prompt_answer_through_the_deadline_transport_succeeds(trickle: TrickleServer) -> None:
    """The deadline machinery does not disturb an answer that arrives in time."""
    with _client(trickle.url) as client:
        assert client.data_version() == "v1"
    assert trickle.requests == 1


@pytest.mark.timeout(60)
def test_trickling_search_fails_job_with_a_clear_reason(make_stack: StackFactory) -> None:
    """Through a real worker: the job fails as UpstreamTooSlow after bounded retries."""
    server = TrickleServer(interval_s=2.0, part="body")
    try:
        stack: FaultStack = make_stack()
        stack.env["TRIALMATCH_CTGOV_BASE_URL"] = server.url  # the worker talks to the trickle
        stack.start_worker()
        sub = stack.submit("C-trickle")
        started = time.monotonic()
        job = stack.wait_job(sub.job_id, timeout=50)
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert job["status"] == "failed", job
    assert job["reason"].startswith("UpstreamTooSlow:"), job
    assert "request deadline" in job["reason"]
    assert server.requests == 2  # one per task run (1 + TRIALMATCH_TASK_MAX_RETRIES)
    assert elapsed < 40, f"took {elapsed:.1f}s"
