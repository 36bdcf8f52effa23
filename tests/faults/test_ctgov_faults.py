"""ClinicalTrials.gov misbehaving, seen through a real worker (checklist items 10-13, 16b).

Retry budgets are shrunk via the environment (2 attempts in-process, 3 s total, 1 task retry,
backoff <= 2 s) so that every path ends within seconds. A failed re-run must leave the previous
match set of a resubmitted profile exactly as it was.
"""

from __future__ import annotations

import json
import time

import pytest

from matcher.adapters.ctgov.client import CtgovClient
from matcher.errors import FinalUpstreamError
from tests.faults.conftest import REGISTRY, Fault, FaultStack, FaultStub, StackFactory, record

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MAX_ATTEMPTS = 2  # TRIALMATCH_CTGOV_MAX_ATTEMPTS in BASE_ENV
TASK_RUNS = 2  # 1 + TRIALMATCH_TASK_MAX_RETRIES


def _arrivals(stack: FaultStack, path: str) -> list[float]:
    return [t for t, p, _ in stack.stub.times if p == "/api/v2" + path]


def _assert_bounded(stack: FaultStack, path: str, expected: int) -> None:
    """Exactly `expected` requests were made to `path`, and no more arrive afterwards."""
    assert stack.stub.count_path(path) == expected, stack.stub.requests
    time.sleep(2.5)  # longer than the largest backoff: a loop would show up here
    assert stack.stub.count_path(path) == expected, stack.stub.requests


def _assert_kept(stack: FaultStack, profile_id: str, before: dict[str, object]) -> None:
    assert stack.snapshot(profile_id) == before, "the previous match set was touched"


@pytest.mark.timeout(60)
def test_429_with_retry_after_is_waited_out_then_succeeds(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A 429 with Retry-After: 1 is retried in-process after >= 1 s; the job is done."""
    stack = make_stack()
    stack.stub.scripted.append(Fault("/version", 429, "Too Many Requests", {"Retry-After": "1"}))
    stack.start_worker()
    sub = stack.submit("C-429")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "done", job
    first, second = _arrivals(stack, "/version")
    assert second - first >= 1.0
    assert stack.hlen("C-429") == clean_count


@pytest.mark.timeout(60)
def test_429_with_retry_after_beyond_budget_goes_to_a_task_retry(
    make_stack: StackFactory, clean_count: int
) -> None:
    """A Retry-After longer than the in-process budget becomes a capped task retry, then done."""
    stack = make_stack()
    stack.stub.scripted.append(Fault("/version", 429, "Too Many Requests", {"Retry-After": "30"}))
    stack.start_worker()
    sub = stack.submit("C-429-long")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "done", job
    first, second = _arrivals(stack, "/version")
    backoff_max = float(stack.env["TRIALMATCH_TASK_RETRY_BACKOFF_MAX_S"])
    assert backoff_max <= second - first < 10  # the countdown is capped, not 30 s
    assert stack.deliveries(sub.job_id, retries=1) == 1
    assert stack.hlen("C-429-long") == clean_count


@pytest.mark.timeout(60)
def test_persistent_503_fails_job_after_bounded_retries_and_keeps_previous_matches(
    make_stack: StackFactory,
) -> None:
    """503 for ever: attempts x task runs requests, job failed as unavailable, old set intact."""
    stack = make_stack()
    stack.start_worker()
    before = stack.matched("C-503")
    stack.new_data_version("v2")
    stack.stub.scripted.append(Fault("/version", 503, times=None))
    sub = stack.submit("C-503")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "failed", job
    assert "UpstreamUnavailable" in job["reason"], job
    assert "503" in job["reason"], job
    _assert_bounded(stack, "/version", 1 + MAX_ATTEMPTS * TASK_RUNS)
    _assert_kept(stack, "C-503", before)


@pytest.mark.timeout(60)
def test_read_timeouts_fail_job_as_unavailable_after_bounded_retries(
    make_stack: StackFactory,
) -> None:
    """Answers slower than the read timeout are retried a bounded number of times, then failed."""
    stack = make_stack(TRIALMATCH_CTGOV_READ_TIMEOUT_S="1")
    version = json.dumps({"apiVersion": "2.0.5", "dataTimestamp": "v1"})
    stack.stub.scripted.append(
        Fault("/version", 200, version, ctype="application/json", delay_s=2.5, times=None)
    )
    stack.start_worker()
    sub = stack.submit("C-slow")
    job = stack.wait_job(sub.job_id, timeout=45)
    assert job["status"] == "failed", job
    assert "UpstreamUnavailable" in job["reason"], job
    assert "ReadTimeout" in job["reason"], job
    _assert_bounded(stack, "/version", MAX_ATTEMPTS * TASK_RUNS)
    assert stack.store.read_matches(stack.pid("C-slow")) is None  # nothing half-stored


@pytest.mark.timeout(60)
def test_connection_reset_is_retried_in_process(make_stack: StackFactory, clean_count: int) -> None:
    """A TCP reset on /studies is retried in-process; the job is done with a full set."""
    stack = make_stack()
    stack.stub.scripted.append(Fault("/studies", status=0))
    stack.start_worker()
    sub = stack.submit("C-reset")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "done", job
    assert stack.stub.count_path("/studies") == 2
    assert stack.deliveries(sub.job_id, retries=1) == 0  # no task retry was needed
    assert stack.hlen("C-reset") == clean_count


@pytest.mark.timeout(60)
def test_persistent_connection_resets_fail_job_as_unavailable(make_stack: StackFactory) -> None:
    """Resets on every attempt end in a clear 'upstream unavailable' failure, bounded."""
    stack = make_stack()
    stack.stub.scripted.append(Fault("/studies", status=0, times=None))
    stack.start_worker()
    sub = stack.submit("C-resets")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "failed", job
    assert "UpstreamUnavailable" in job["reason"], job
    _assert_bounded(stack, "/studies", MAX_ATTEMPTS * TASK_RUNS)
    assert stack.store.read_matches(stack.pid("C-resets")) is None


@pytest.mark.timeout(60)
def test_invalid_json_fails_job_at_once_and_keeps_previous_matches(
    make_stack: StackFactory,
) -> None:
    """A 200 whose body is not JSON fails the job (not retried) naming the body; old set kept."""
    stack = make_stack()
    stack.start_worker()
    before = stack.matched("C-json")
    stack.new_data_version("v2")
    stack.stub.scripted.append(
        Fault("/studies", 200, '{"studies": [', ctype="application/json", times=None)
    )
    sub = stack.submit("C-json")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "failed", job
    assert "malformed study" in job["reason"], job
    assert "not valid JSON" in job["reason"], job
    _assert_bounded(stack, "/studies", 2)  # the clean run's search and the one failed try
    _assert_kept(stack, "C-json", before)


@pytest.mark.timeout(60)
def test_failed_job_reason_names_the_actual_error_class(make_stack: StackFactory) -> None:
    """The failed job's reason starts with the class raised (UpstreamSchemaError), a clear error."""
    stack = make_stack()
    stack.stub.scripted.append(Fault("/studies", 200, "not json", ctype="application/json"))
    stack.start_worker()
    sub = stack.submit("C-class")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "failed", job
    assert job["reason"].startswith("UpstreamSchemaError:"), job["reason"]


@pytest.mark.timeout(60)
def test_page_two_failing_mid_pagination_writes_nothing(make_stack: StackFactory) -> None:
    """With pageSize 1, page 2 failing for ever fails the job; no partial search, old set kept."""
    stack = make_stack(TRIALMATCH_CTGOV_PAGE_SIZE="1")
    stack.start_worker()
    before = stack.matched("C-page")
    assert stack.stub.count_path("/studies") == len(REGISTRY)  # one study per page
    stack.new_data_version("v2")
    stack.stub.scripted.append(Fault("/studies", 503, page_token="1", times=None))
    sub = stack.submit("C-page")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "failed", job
    assert "UpstreamUnavailable" in job["reason"], job
    _assert_bounded(stack, "/studies", len(REGISTRY) + TASK_RUNS * (1 + MAX_ATTEMPTS))
    assert stack.store.corpus_record("v2") is None
    _assert_kept(stack, "C-page", before)


@pytest.mark.timeout(60)
def test_schema_drift_fails_job_naming_nct_id_and_field(make_stack: StackFactory) -> None:
    """A wrongly typed field fails the job with the NCT id and field named; old set kept."""
    stack = make_stack()
    stack.start_worker()
    before = stack.matched("C-drift")
    drifted = record(REGISTRY[1], updated="2026-11-01")
    drifted["protocolSection"]["eligibilityModule"]["minimumAge"] = 24  # was "2 Years"
    stack.write_registry(REGISTRY[1], drifted)
    stack.new_data_version("v2")
    sub = stack.submit("C-drift")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "failed", job
    assert "malformed study" in job["reason"], job
    assert REGISTRY[1] in job["reason"], job
    assert "eligibilityModule.minimumAge" in job["reason"], job
    _assert_kept(stack, "C-drift", before)


@pytest.mark.timeout(60)
def test_unknown_enum_values_are_tolerated(make_stack: StackFactory, clean_count: int) -> None:
    """New enum values (phase, sex, age group) do not fail the job; the trial is still judged."""
    stack = make_stack()
    odd = record(REGISTRY[0])
    odd["protocolSection"].setdefault("designModule", {})["phases"] = ["PHASE5"]
    odd["protocolSection"]["eligibilityModule"]["stdAges"] = ["TODDLER"]
    odd["protocolSection"]["eligibilityModule"]["sex"] = "ANY_SEX"
    stack.write_registry(REGISTRY[0], odd)
    stack.start_worker()
    sub = stack.submit("C-enum")
    job = stack.wait_job(sub.job_id)
    assert job["status"] == "done", job
    assert stack.hlen("C-enum") == clean_count
    assert REGISTRY[0] in stack.nct_ids("C-enum")


@pytest.mark.timeout(30)
def test_alias_301_is_followed_to_the_canonical_record(make_stack: StackFactory) -> None:
    """GET /studies/{alias} answering 301 yields the canonical study; off-host is refused."""
    stack = make_stack()
    alias, canonical = "NCT99999999", REGISTRY[1]
    stack.stub.scripted.append(
        Fault(f"/studies/{alias}", 301, "", {"Location": f"{stack.stub.url}/studies/{canonical}"})
    )
    with CtgovClient(base_url=stack.stub.url, max_attempts=1) as client:
        trial = client.get_study(alias)
        assert trial.nct_id == canonical
        elsewhere = stack.stub.url.replace("127.0.0.1", "localhost")
        stack.stub.scripted.append(
            Fault(f"/studies/{alias}", 301, "", {"Location": f"{elsewhere}/studies/{canonical}"})
        )
        with pytest.raises(FinalUpstreamError, match="off the API origin"):
            client.get_study(alias)


@pytest.mark.timeout(30)
def test_alias_redirect_off_the_api_origin_is_refused_before_any_request(
    make_stack: StackFactory,
) -> None:
    """A 301 pointing at another origin raises FinalUpstreamError and sends it nothing."""
    stack = make_stack()
    other = FaultStub(stack.registry)  # same host, another port: a different origin
    try:
        stack.stub.scripted.append(
            Fault(
                "/studies/NCT99999999",
                301,
                "",
                {"Location": f"{other.url}/studies/{REGISTRY[1]}"},
            )
        )
        with (
            CtgovClient(base_url=stack.stub.url, max_attempts=1) as client,
            pytest.raises(FinalUpstreamError),
        ):
            client.get_study("NCT99999999")
        assert other.requests == []
    finally:
        other.close()
